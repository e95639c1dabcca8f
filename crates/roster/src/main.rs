//! The `roster` binary: see `roster --help`.

fn main() -> std::process::ExitCode {
    roster::main()
}
