// sum.rs - stdin, Vec, HashMap (random keys), a thread, println (strict policy check).
use std::collections::HashMap;
use std::io::Read;

fn main() {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).unwrap();
    let mut v: Vec<i64> = s.split_whitespace().map(|t| t.parse().unwrap()).collect();
    v.sort();
    let w = v.clone();
    let sum = std::thread::spawn(move || w.iter().sum::<i64>()).join().unwrap();
    let mut m = HashMap::new();
    m.insert("sum", sum);
    println!("sum {} min {}", m["sum"], v.first().copied().unwrap_or(0));
}
