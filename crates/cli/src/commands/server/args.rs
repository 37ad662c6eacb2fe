//! Arguments of `leakmatch server …` (the online OPRF service, issue #16).

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// `leakmatch server SUBCOMMAND`.
#[derive(Debug, Args)]
pub struct ServerArgs {
    #[command(subcommand)]
    pub command: ServerCommand,
}

#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Create a state directory: master secret (0600), store (0600), epoch 1, no client.
    #[command(after_help = "Example:\n  leakmatch server init /srv/leakmatch")]
    Init {
        /// The state directory to create (new, or an existing empty directory; made 0700).
        state_dir: PathBuf,
        /// Print one JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Register a client with a lifetime budget of evaluations; write its credential (0600).
    #[command(
        name = "add-client",
        after_help = "Example:\n  leakmatch server add-client /srv/leakmatch jazz --budget 2000000 -o jazz.cred"
    )]
    AddClient {
        /// The state directory.
        state_dir: PathBuf,
        /// The client's name: 1 to 64 of A-Z a-z 0-9 . _ -
        name: String,
        /// Evaluations the client may ask for over its lifetime.
        #[arg(long, value_name = "N")]
        budget: u64,
        /// Where to write the credential; an existing file is never overwritten.
        #[arg(short, long, value_name = "NAME.cred")]
        output: PathBuf,
        /// Print one JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Set a client's lifetime budget (what it used stays used).
    #[command(
        name = "set-budget",
        after_help = "Example:\n  leakmatch server set-budget /srv/leakmatch jazz 5000000"
    )]
    SetBudget {
        /// The state directory.
        state_dir: PathBuf,
        /// The client's name.
        name: String,
        /// The new lifetime budget.
        budget: u64,
        /// Print one JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Show epochs, published filters and each client's budget, used and left.
    #[command(after_help = "Example:\n  leakmatch server status /srv/leakmatch --json")]
    Status {
        /// The state directory.
        state_dir: PathBuf,
        /// Print one JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Start a new key epoch; the current one is withdrawn and its filters refused from now
    /// on. Budgets are not reset. Publish the dumps again afterwards.
    #[command(after_help = "Example:\n  leakmatch server rotate /srv/leakmatch")]
    Rotate {
        /// The state directory.
        state_dir: PathBuf,
        /// Print one JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Serve the OPRF over HTTP until Ctrl-C or SIGTERM. Prints `listening on http://ADDR`
    /// as its first stdout line; one log line per request on stderr (never an element).
    #[command(
        after_help = "Example:\n  leakmatch server run /srv/leakmatch --listen 127.0.0.1:8470"
    )]
    Run {
        /// The state directory.
        state_dir: PathBuf,
        /// Address to listen on (port 0: any free port, printed on stdout).
        #[arg(long, default_value = "127.0.0.1:8470", value_name = "ADDR:PORT")]
        listen: String,
        /// Requests evaluated at once (default: the worker threads).
        #[arg(long, value_name = "N")]
        eval_slots: Option<usize>,
    },
}
