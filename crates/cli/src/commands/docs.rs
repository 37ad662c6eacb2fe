//! `leakmatch completions SHELL` and `leakmatch man`: generated from the clap definition, so
//! they never drift from `--help`.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::args::Cli;
use crate::output::stdout_write;

/// Prints the completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "leakmatch", &mut script);
    stdout_write(&String::from_utf8_lossy(&script))?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the man page (roff): the command, then each subcommand as a section.
pub fn man() -> anyhow::Result<ExitCode> {
    let cmd = Cli::command();
    let mut page = Vec::new();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    page.extend_from_slice(b".SH COMMANDS\n");
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        page.extend_from_slice(format!(".SS \"leakmatch {name}\"\n").as_bytes());
        let sub = sub.clone().bin_name(format!("leakmatch {name}"));
        let sub_man = clap_mangen::Man::new(sub);
        // Each subcommand's synopsis, about and options, under its own heading.
        let mut section = Vec::new();
        sub_man.render_synopsis_section(&mut section)?;
        sub_man.render_description_section(&mut section)?;
        sub_man.render_options_section(&mut section)?;
        sub_man.render_extra_section(&mut section)?;
        page.extend(demote(&section));
    }
    // The command's after-help is its exit codes.
    let mut extra = Vec::new();
    man.render_extra_section(&mut extra)?;
    page.extend(
        String::from_utf8_lossy(&extra)
            .replacen(".SH EXTRA", ".SH \"EXIT STATUS\"", 1)
            .into_bytes(),
    );
    man.render_version_section(&mut page)?;
    stdout_write(&String::from_utf8_lossy(&page))?;
    Ok(ExitCode::SUCCESS)
}

/// A subcommand's `.SH` headings become bold paragraphs under its `.SS` heading.
fn demote(section: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(section);
    let mut out = String::new();
    for line in text.lines() {
        match line.strip_prefix(".SH ") {
            Some(title) => {
                out.push_str(".PP\n\\fB");
                // A subcommand's after-help is its examples.
                let title = title.trim_matches('"');
                out.push_str(if title == "EXTRA" { "EXAMPLES" } else { title });
                out.push_str("\\fR\n");
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out.into_bytes()
}
