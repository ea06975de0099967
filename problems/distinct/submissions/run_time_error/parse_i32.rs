// Crashes: parses the values as i32; 999999999999 does not fit, so unwrap() panics.
use std::collections::HashSet;
use std::io::Read;

fn main() {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).unwrap();
    let mut it = s.split_ascii_whitespace();
    let n: usize = it.next().unwrap().parse().unwrap();
    let set: HashSet<i32> = it.take(n).map(|t| t.parse::<i32>().unwrap()).collect();
    println!("{}", set.len());
}
