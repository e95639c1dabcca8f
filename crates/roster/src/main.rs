//! The `roster` binary: see `roster --help`.

/// mimalloc, for Rust's allocations and (through `override`) SQLite's:
/// glibc's malloc took a quarter of the member page's CPU, its frees of
/// memory another thread allocated (SQLite's rows) the most.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    roster::main()
}
