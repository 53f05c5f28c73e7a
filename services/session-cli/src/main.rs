//! `session-cli`: the command-line client. Today: identity keys, blinded IDs and 1:1 debugging.
//!
//! A thin binary: parse arguments, call `session-crypto`, print. Bad input exits with code 2 and
//! one line on stderr; it never panics and never prints secrets it was not asked to print.

mod account;
mod chat;
mod debug;
mod keys;
mod output;

use clap::{Parser, Subcommand};
use output::Output;
use std::process::ExitCode;

/// Session command-line client.
#[derive(Parser, Debug)]
#[command(name = "session-cli", version, about)]
struct Cli {
    /// Print machine-readable JSON instead of human-readable text.
    #[arg(long, global = true)]
    json: bool,
    /// The client's home directory (account, later history). Default: $SESSION_HOME, else
    /// $XDG_DATA_HOME/session-rs, else ~/.local/share/session-rs.
    #[arg(long, global = true)]
    home: Option<std::path::PathBuf>,
    /// The network to talk to: a devnet manifest or {"seeds": ["host:port", ...]}. Default:
    /// $SESSION_NETWORK, else ./target/devnet/devnet.json when present.
    #[arg(long, global = true)]
    network: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Identity keys: create, derive, blind.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Low-level tools for inspecting Session's formats.
    #[command(subcommand)]
    Debug(debug::DebugCommand),
    /// Create a new account in the home directory (prints the recovery phrase once).
    Init,
    /// Restore an account from its recovery phrase into the home directory.
    Restore {
        /// The 13-word (or 25-word) recovery phrase.
        #[arg(long)]
        mnemonic: String,
    },
    /// Show the account of the home directory.
    Whoami,
    /// Send a text message (through onion paths).
    Send {
        /// The recipient's Session ID (05…).
        session_id: String,
        /// The text.
        text: String,
        /// Time to live in seconds (default 14 days).
        #[arg(long, default_value_t = 14 * 24 * 3600)]
        ttl: u64,
    },
    /// Poll once and print the new messages.
    Receive,
    /// Show the conversation with a Session ID.
    History {
        /// The other party's Session ID.
        session_id: String,
    },
}

/// A user-facing failure: one line, exit code 2.
#[derive(Debug)]
pub struct CliError(String);

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        Self(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let rendered = e.render().to_string();
            let line = rendered.lines().next().unwrap_or("invalid arguments");
            eprintln!("{line}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Keys(cmd) => keys::run(cmd),
        Command::Debug(cmd) => debug::run(cmd),
        Command::Init => account::home_dir(cli.home).and_then(|h| account::init(&h)),
        Command::Restore { mnemonic } => {
            account::home_dir(cli.home).and_then(|h| account::restore(&h, &mnemonic))
        }
        Command::Whoami => account::home_dir(cli.home).and_then(|h| account::whoami(&h)),
        Command::Send {
            session_id,
            text,
            ttl,
        } => account::home_dir(cli.home).and_then(|h| {
            let net = chat::network_file(cli.network)?;
            chat::send(&h, &net, &session_id, &text, ttl)
        }),
        Command::Receive => account::home_dir(cli.home).and_then(|h| {
            let net = chat::network_file(cli.network)?;
            chat::receive(&h, &net, cli.json)
        }),
        Command::History { session_id } => {
            account::home_dir(cli.home).and_then(|h| chat::history(&h, &session_id, cli.json))
        }
    };
    match result {
        Ok(out) => {
            out.print(cli.json);
            ExitCode::SUCCESS
        }
        Err(CliError(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

/// What every command returns.
pub type CliResult = Result<Output, CliError>;
