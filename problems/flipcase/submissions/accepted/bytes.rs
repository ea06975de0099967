// Works on raw bytes: flips ASCII letters, copies everything else, keeps all newlines.
use std::io::{Read, Write};

fn main() {
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input).unwrap();
    let first = input.iter().position(|&b| b == b'\n').unwrap();
    let n: usize = std::str::from_utf8(&input[..first]).unwrap().trim().parse().unwrap();
    let mut out = Vec::with_capacity(input.len());
    let mut lines = 0;
    for &b in &input[first + 1..] {
        if lines == n {
            break;
        }
        out.push(if b.is_ascii_alphabetic() { b ^ 0x20 } else { b });
        if b == b'\n' {
            lines += 1;
        }
    }
    std::io::stdout().write_all(&out).unwrap();
}
