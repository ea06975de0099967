// Binary search in Rust with an explicit flush after every guess.
use std::io::{BufRead, Write};

fn main() {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut out = std::io::stdout();
    let (mut lo, mut hi) = (1u64, 1_000_000_000u64);
    loop {
        let mid = (lo + hi) / 2;
        writeln!(out, "{}", mid).unwrap();
        out.flush().unwrap();
        let reply = lines.next().unwrap().unwrap();
        match reply.trim() {
            "correct" => return,
            "lower" => hi = mid - 1,
            _ => lo = mid + 1,
        }
    }
}
