// Does not compile: adds a string to an integer.
fn main() {
    let greeting = "Hello World!";
    let n: i32 = 1 + greeting;
    println!("{} {}", greeting, n);
}
