fn main() {
    println!("gradstep: work in progress");
}
