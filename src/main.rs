//! The `gradstep` binary: a thin switch from the command line to the headless commands
//! (`gradstep::cli`) or the tutor in this terminal (`gradstep::tui::local`).

use gradstep::cli::{self, Launch};

fn main() {
    let code = match cli::dispatch() {
        Launch::Exit(code) => code,
        Launch::Tutor(req) => gradstep::tui::local::launch(req),
    };
    std::process::exit(code);
}
