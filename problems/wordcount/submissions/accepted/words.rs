// split(|c| c == ' ' || c == '\t') with empty pieces filtered out.
use std::io::Read;

fn main() {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).unwrap();
    let mut lines = s.split('\n');
    let n: usize = lines.next().unwrap().trim().parse().unwrap();
    let mut out = String::new();
    for line in lines.take(n) {
        let words = line.split(|c| c == ' ' || c == '\t').filter(|w| !w.is_empty()).count();
        out.push_str(&format!("{}\n", words));
    }
    print!("{}", out);
}
