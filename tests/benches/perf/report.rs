//! docs/benchmarks.md: the machine, the date and one table per measure.

use std::fmt::Write;

use roster_tests::bench_doc::sh;

pub struct Report {
    pub text: String,
}

impl Report {
    pub fn new(profile: &str, runs: usize, seconds: f64) -> Self {
        let mut text = String::new();
        let cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2");
        let _ = writeln!(
            text,
            "# Benchmarks\n\nWritten by `cargo bench -p roster-tests --bench perf` \
             (see the top of `tests/benches/perf.rs`), but for the section \
             \"Large organizations\", written by `--bench large_org` (see the top of \
             `tests/benches/large_org.rs`); do not edit by hand.\n\n\
             - Date: {}\n- Machine: {} ({} cores), {}\n- Build profile: `{profile}`\n\
             - Load: an in-process client (one keep-alive connection per client), a warm-up, \
             then {runs} runs of {seconds} s per case, the cases interleaved run by run; \
             req/s is the median of the runs, latencies are over every request of every run. \
             Client, gateway and database share the machine.\n",
            sh("date -u '+%Y-%m-%d %H:%M UTC'"),
            cpu.trim(),
            sh("nproc"),
            sh("uname -sr"),
        );
        Self { text }
    }

    pub fn section(&mut self, title: &str, note: &str, header: &[&str]) {
        let _ = writeln!(self.text, "\n## {title}\n\n{note}\n");
        let _ = writeln!(self.text, "| {} |", header.join(" | "));
        let _ = writeln!(self.text, "|{}", "---|".repeat(header.len()));
    }

    pub fn row(&mut self, cells: &[String]) {
        println!("{}", cells.join("  "));
        let _ = writeln!(self.text, "| {} |", cells.join(" | "));
    }

    pub fn line(&mut self, line: &str) {
        println!("{line}");
        let _ = writeln!(self.text, "{line}");
    }
}
