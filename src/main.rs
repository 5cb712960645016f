//! The `gradstep` binary: a thin switch from the command line to the headless commands
//! (`gradstep::cli`), the tutor in this terminal (`gradstep::tui::local`) or the SSH server
//! (`gradstep::ssh`).

use gradstep::cli::{self, Launch};
use gradstep::ssh;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let code = match cli::dispatch() {
        Launch::Exit(code) => code,
        Launch::Tutor(req) => gradstep::tui::local::launch(req),
        Launch::Serve(args, lessons, lang) => {
            let keep = args.keep_progress();
            ssh::run_serve(args, ssh::app::factory(lessons, lang, keep))
        }
    };
    std::process::exit(code);
}
