// Too slow, forever: the index does not advance on a tab, so the first tab hangs the loop.
use std::io::Read;

fn main() {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).unwrap();
    let mut lines = s.split('\n');
    let n: usize = lines.next().unwrap().trim().parse().unwrap();
    let mut out = String::new();
    for line in lines.take(n) {
        let b = line.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c == b'\t' {
                continue;
            }
            out.push(if c.is_ascii_alphabetic() { (c ^ 0x20) as char } else { c as char });
            i += 1;
        }
        out.push('\n');
    }
    print!("{}", out);
}
