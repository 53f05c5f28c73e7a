//! `session-cli`: the command-line client: identity keys, blinded IDs, 1:1 debugging, the
//! account and 1:1 conversations over a network, the account's state shared by its devices
//! (profile, contacts, nicknames, blocks), communities (rooms on SOGS servers, blinded
//! DMs) and groups (groups v2: "03" groups).
//!
//! A thin binary: parse arguments, call `session-crypto`, print. Bad input exits with code 2 and
//! one line on stderr; it never panics and never prints secrets it was not asked to print.

mod account;
mod account_state;
mod calls;
mod chat;
mod community;
mod debug;
mod files;
mod group;
mod keys;
mod output;
mod progress;

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
    /// Send a text message, with files attached (through onion paths and the file server).
    Send {
        /// The recipient's Session ID (05…).
        session_id: String,
        /// The text (may be left out when files are attached).
        text: Option<String>,
        /// Attach these files (at most 10,000,000 bytes each).
        #[arg(long = "attach", num_args = 1..)]
        attach: Vec<std::path::PathBuf>,
        /// Quote the message with this hash (from `history`).
        #[arg(long)]
        quote: Option<String>,
        /// Time to live in seconds (default: the conversation's disappearing setting, else 14
        /// days).
        #[arg(long)]
        ttl: Option<u64>,
    },
    /// Poll once and print the new messages (they count as read).
    Receive {
        /// Send read receipts for what is shown.
        #[arg(long)]
        read_receipts: bool,
    },
    /// Poll until interrupted, printing new messages as they come.
    Watch {
        /// Send read receipts for what is shown.
        #[arg(long)]
        read_receipts: bool,
        /// Stop after this many messages.
        #[arg(long)]
        count: Option<usize>,
        /// Milliseconds between polls.
        #[arg(long, default_value_t = 500)]
        interval_ms: u64,
    },
    /// Tell a contact you are typing (or stopped, with --stop).
    Typing {
        /// The other party's Session ID.
        session_id: String,
        /// Stopped typing.
        #[arg(long)]
        stop: bool,
    },
    /// List the conversations.
    Conversations,
    /// List the message requests (strangers who wrote first).
    Requests,
    /// Show the conversation with a Session ID.
    History {
        /// The other party's Session ID.
        session_id: String,
    },
    /// Accept a message request.
    Accept {
        /// The requester's Session ID.
        session_id: String,
    },
    /// Block a Session ID: their messages are dropped (on every device of the account).
    Block {
        /// The Session ID.
        session_id: String,
    },
    /// Unblock a Session ID.
    Unblock {
        /// The Session ID.
        session_id: String,
    },
    /// Communities: join, leave, read, post, edit, delete, react, moderate, DM.
    #[command(subcommand)]
    Community(community::CommunityCommand),
    /// List the joined community rooms with their unread counts.
    Communities,
    /// Groups: create, invite, accept, send, members, remove, promote, rename, leave, destroy.
    #[command(subcommand)]
    Group(group::GroupCommand),
    /// List your groups (and invitations).
    Groups,
    /// Attachments of received messages.
    #[command(subcommand)]
    Attachments(AttachmentsAction),
    /// Show your profile (or change it: `profile set-name NAME`, `profile set-picture FILE`).
    Profile {
        #[command(subcommand)]
        action: Option<ProfileAction>,
    },
    /// List your contacts: names, nicknames, who is accepted and who is blocked.
    Contacts {
        /// Only the blocked ones.
        #[arg(long)]
        blocked: bool,
    },
    /// Set the nickname you see for a contact (an empty NAME removes it).
    Nickname {
        /// The contact's Session ID.
        session_id: String,
        /// The nickname (at most 100 bytes).
        name: String,
    },
    /// Where the account's synced configs stand on this device (for comparing devices).
    #[command(hide = true)]
    Configs,
    /// Unsend one of your messages (deleted here and at the recipient).
    Unsend {
        /// The message's hash (from `history`).
        hash: String,
    },
    /// React to a message.
    React {
        /// The message's hash (from `history`).
        hash: String,
        /// The emoji.
        emoji: String,
        /// Take the reaction back.
        #[arg(long)]
        remove: bool,
    },
    /// Call a contact (voice, through the network's TURN relay only) and stay in the call
    /// until either side hangs up, nobody answers in 60 s, or --duration ends it.
    Call {
        /// The contact's Session ID.
        session_id: String,
        #[command(flatten)]
        media: MediaFlags,
    },
    /// Wait for a contact's call (one ringing already counts), answer it, stay in it.
    Answer {
        #[command(flatten)]
        media: MediaFlags,
        /// Give up after this many seconds without a call.
        #[arg(long, default_value_t = 60.0)]
        wait: f64,
    },
    /// Decline the call ringing now.
    Decline,
    /// Hang up the call running for this account (in another `call` or `answer`).
    Hangup,
    /// The call history: who, when, how long, missed or declined.
    Calls,
    /// Set a conversation's disappearing messages.
    SetExpiry {
        /// The other party's Session ID.
        session_id: String,
        /// off, after-send or after-read.
        mode: String,
        /// Timer in seconds (ignored for off).
        #[arg(default_value_t = 0)]
        seconds: u32,
    },
}

/// Audio of a call, from and to WAV files (16-bit PCM, 48 kHz).
#[derive(clap::Args, Debug)]
struct MediaFlags {
    /// Play this WAV file into the call (from the moment it connects).
    #[arg(long)]
    play: Option<std::path::PathBuf>,
    /// Record what the other side says into this WAV file.
    #[arg(long)]
    record: Option<std::path::PathBuf>,
    /// Hang up this many seconds after the call connects.
    #[arg(long)]
    duration: Option<f64>,
}

impl MediaFlags {
    fn args(self) -> calls::MediaArgs {
        calls::MediaArgs {
            play: self.play,
            record: self.record,
            duration: self.duration,
        }
    }
}

/// Changes to the profile.
#[derive(Subcommand, Debug)]
enum ProfileAction {
    /// Set your display name (sent with your messages, synced to your other devices).
    SetName {
        /// The name (at most 100 bytes).
        name: String,
    },
    /// Set your profile picture (uploaded encrypted; sent with your messages, synced).
    SetPicture {
        /// The picture file (at most 10,000,000 bytes).
        file: std::path::PathBuf,
    },
    /// Remove your profile picture.
    RemovePicture,
}

/// What to do with attachments.
#[derive(Subcommand, Debug)]
enum AttachmentsAction {
    /// Download (again) the attachments of a message that are not here yet.
    Fetch {
        /// The message's hash (from `history`).
        hash: String,
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

/// Warnings of the client library (a config refused, a push that will be retried) go to
/// stderr; `SESSION_LOG` (an env-filter, e.g. `session_client=debug`) shows more.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SESSION_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        // Colours only on a terminal: log files stay plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .with_target(false)
        .init();
}

fn main() -> ExitCode {
    init_logging();
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
        other => {
            account::home_dir(cli.home).and_then(|h| conversation(&h, cli.network, cli.json, other))
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

fn not_a_conversation() -> CliResult {
    Err(CliError("internal: not a conversation command".into()))
}

/// The conversation commands.
fn conversation(
    home: &std::path::Path,
    net: Option<std::path::PathBuf>,
    json: bool,
    command: Command,
) -> CliResult {
    use session_client::history::ContactState;
    match command {
        Command::Send {
            session_id,
            text,
            attach,
            quote,
            ttl,
        } => files::send(
            home,
            net,
            json,
            &files::SendArgs {
                to: &session_id,
                text: text.as_deref().unwrap_or(""),
                attach: &attach,
                quote: quote.as_deref(),
                ttl_secs: ttl,
            },
        ),
        Command::Attachments(AttachmentsAction::Fetch { hash }) => {
            files::fetch(home, net, json, &hash)
        }
        Command::Profile {
            action: Some(ProfileAction::SetPicture { file }),
        } => files::set_picture(home, net, json, &file),
        Command::Profile {
            action: Some(ProfileAction::RemovePicture),
        } => files::remove_picture(home, net),
        Command::Community(cmd) => community::run(home, net, json, cmd),
        Command::Communities => community::list(home, json),
        Command::Group(cmd) => group::run(home, net, json, cmd),
        Command::Groups => group::list(home, json, false),
        Command::Receive { read_receipts } => chat::receive(home, net, json, read_receipts),
        Command::Watch {
            read_receipts,
            count,
            interval_ms,
        } => chat::watch(
            home,
            net,
            json,
            read_receipts,
            count,
            std::time::Duration::from_millis(interval_ms),
        ),
        Command::Typing { session_id, stop } => chat::typing(home, net, &session_id, !stop),
        Command::Conversations => chat::list(home, ContactState::Approved, json),
        Command::Requests => chat::list(home, ContactState::Request, json),
        Command::History { session_id } => chat::history(home, &session_id, json),
        Command::Accept { session_id } => chat::accept(home, net, &session_id),
        Command::Block { session_id } => account_state::block(home, net, &session_id),
        Command::Unblock { session_id } => account_state::unblock(home, net, &session_id),
        Command::Profile { action: None } => account_state::show(home),
        Command::Profile {
            action: Some(ProfileAction::SetName { name }),
        } => account_state::set_name(home, net, &name),
        Command::Contacts { blocked } => account_state::contacts(home, blocked, json),
        Command::Nickname { session_id, name } => {
            account_state::nickname(home, net, &session_id, &name)
        }
        Command::Configs => account_state::configs(home, json),
        Command::Unsend { hash } => chat::unsend(home, net, &hash),
        Command::React {
            hash,
            emoji,
            remove,
        } => chat::react(home, net, &hash, &emoji, remove),
        Command::SetExpiry {
            session_id,
            mode,
            seconds,
        } => chat::set_expiry(home, net, &session_id, &mode, seconds),
        Command::Call { session_id, media } => {
            calls::call(home, net, json, &session_id, &media.args())
        }
        Command::Answer { media, wait } => calls::answer(home, net, json, &media.args(), wait),
        Command::Decline => calls::decline(home, net),
        Command::Hangup => calls::hangup(home),
        Command::Calls => calls::list(home, json),
        _ => not_a_conversation(),
    }
}

/// What every command returns.
pub type CliResult = Result<Output, CliError>;
