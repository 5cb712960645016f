//! Shell completions and the man page, generated from the very clap definition the command
//! line is parsed with, so they can never fall behind a renamed flag or a new command.

use std::io::{self, Write};

use clap::{Args, CommandFactory};
use clap_complete::Shell;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the completion script for `shell`, e.g. `gradstep completions bash >
/// ~/.local/share/bash-completion/completions/gradstep`.
pub fn completions(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    let mut cmd = super::Cli::command();
    clap_complete::generate(shell, &mut cmd, "gradstep", out);
    Ok(())
}

/// Writes the man page (roff), e.g. `gradstep man > ~/.local/share/man/man1/gradstep.1`.
pub fn man(out: &mut dyn Write) -> io::Result<()> {
    clap_mangen::Man::new(super::Cli::command()).render(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn every_shell_gets_a_script_that_knows_the_subcommands() {
        for &shell in Shell::value_variants() {
            let mut out = Vec::new();
            completions(shell, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            for sub in ["run", "lesson", "serve", "completions"] {
                assert!(text.contains(sub), "{shell}: no '{sub}'");
            }
        }
    }

    #[test]
    fn the_man_page_names_the_program_and_its_commands() {
        let mut out = Vec::new();
        man(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(".ie \\n(.g .ds Aq"), "{}", &text[..80]);
        assert!(text.contains(".TH gradstep 1"), "{text}");
        assert!(text.contains("gradient descent"), "{text}");
        for sub in ["gradstep\\-run", "gradstep\\-serve", "gradstep\\-man"] {
            assert!(text.contains(sub), "no '{sub}' in\n{text}");
        }
    }
}
