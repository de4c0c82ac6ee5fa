//! `hwoath dist-files DIR [DATE]` (only with the `dist-files` feature): writes the shell
//! completions and man pages of the command line into DIR, for the release (scripts/release.sh).
//!
//! - `DIR/completions/`: `hwoath.bash`, `_hwoath` (zsh), `hwoath.fish`, `_hwoath.ps1` (PowerShell);
//! - `DIR/man/`: `hwoath.1` and one page per subcommand (`hwoath-totp.1`, …).
//!
//! The output depends only on the command-line definition, the version string and DATE (the
//! man pages' date, `YYYY-MM-DD`; scripts/release.sh passes the commit's date): the same commit
//! gives the same files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap_complete::Shell;

/// Runs the generator; exit code 2 with one line on a usage or write error.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(2).collect();
    let (dir, date) = match args.as_slice() {
        [dir] => (PathBuf::from(dir), None),
        [dir, date] if is_date(date) => (PathBuf::from(dir), Some(date.clone())),
        _ => {
            errln!("usage: hwoath dist-files DIR [YYYY-MM-DD]");
            return ExitCode::from(2);
        }
    };
    match write(&dir, date.as_deref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            errln!("hwoath: cannot write into {}: {e}", dir.display());
            ExitCode::from(2)
        }
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

fn write(dir: &Path, date: Option<&str>) -> std::io::Result<()> {
    let completions = dir.join("completions");
    std::fs::create_dir_all(&completions)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell] {
        let mut cmd = crate::app::command();
        clap_complete::generate_to(shell, &mut cmd, "hwoath", &completions)?;
    }
    let man = dir.join("man");
    std::fs::create_dir_all(&man)?;
    let cmd = crate::app::command().disable_help_subcommand(true);
    // Every page names the program and its version (with the commit), the subcommands' too.
    let source = format!("hwoath {}", cmd.get_version().unwrap_or_default());
    write_man(cmd, date, &source, &man)
}

/// One page for the command and one per (visible) subcommand, as `clap_mangen::generate_to`
/// writes them, with the given date, source and the manual's name on each.
fn write_man(
    mut cmd: clap::Command,
    date: Option<&str>,
    source: &str,
    dir: &Path,
) -> std::io::Result<()> {
    cmd.build();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_man(sub.clone(), date, source, dir)?;
    }
    let mut page = clap_mangen::Man::new(cmd)
        .manual("hwoath manual")
        .source(source);
    if let Some(date) = date {
        page = page.date(date);
    }
    page.generate_to(dir).map(|_| ())
}
