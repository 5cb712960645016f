//! The `gradstep` binary: everything lives in the library; see `gradstep::cli`.

fn main() {
    std::process::exit(gradstep::cli::main());
}
