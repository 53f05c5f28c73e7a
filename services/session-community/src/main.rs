//! `session-community`: the community server and its admin commands. Parses the command line,
//! sets up logging, and calls the `session-community` library: `serve` runs the server until
//! Ctrl-C or SIGTERM; `pubkey`, `room …` and `moderator …` work on the same data directory,
//! also while the server runs. Bad input prints one line and exits with status 2.

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use serde_json::json;
use session_community::admin::{Admin, ModResult, RoomSummary, Scope};
use session_community::{Config, Error};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

/// A Session community server (SOGS-compatible).
#[derive(Parser, Debug)]
#[command(name = "session-community", version, about)]
struct Cli {
    /// Directory holding the database, the uploads and the server key (created if missing).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Print results as JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the server (the X25519 key is created on first start, mode 0600).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port).
        #[arg(long, value_name = "ADDR")]
        listen: SocketAddr,
    },
    /// Print the server's X25519 public key (64 hex digits).
    Pubkey,
    /// Manage rooms.
    #[command(subcommand)]
    Room(RoomCommand),
    /// Manage moderators and admins.
    #[command(subcommand)]
    Moderator(ModeratorCommand),
}

#[derive(Subcommand, Debug)]
enum RoomCommand {
    /// Create a room.
    Add {
        /// Room token: 1 to 64 letters, digits, `_` or `-` (used in URLs).
        token: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Description.
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
    },
    /// List the rooms.
    List,
    /// Delete a room with all its posts and files.
    Delete {
        /// Room token.
        token: String,
    },
}

#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
struct Where {
    /// Apply to this room.
    #[arg(long, value_name = "TOKEN")]
    room: Option<String>,
    /// Apply server-wide (global moderator/admin).
    #[arg(long)]
    global: bool,
}

impl Where {
    fn scope(&self) -> Scope {
        match &self.room {
            Some(t) => Scope::Room(t.clone()),
            None => Scope::Global,
        }
    }
}

#[derive(Subcommand, Debug)]
enum ModeratorCommand {
    /// Make Session IDs (05… or 15…) moderators (or admins) of a room or of every room.
    Add {
        /// Session IDs.
        #[arg(required = true, value_name = "SESSION_ID")]
        ids: Vec<String>,
        #[command(flatten)]
        place: Where,
        /// Make them admins (admins can also appoint moderators and pin).
        #[arg(long)]
        admin: bool,
        /// Show them as moderators to users (hidden otherwise).
        #[arg(long)]
        visible: bool,
    },
    /// Remove Session IDs as moderators and admins of a room or globally.
    Remove {
        /// Session IDs.
        #[arg(required = true, value_name = "SESSION_ID")]
        ids: Vec<String>,
        #[command(flatten)]
        place: Where,
    },
}

/// Bad input: one line on stderr, status 2.
fn usage_error(msg: &str) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
            let text = e.to_string();
            let line = text.lines().next().unwrap_or("invalid arguments");
            eprintln!("{line}");
            return ExitCode::from(2);
        }
    };
    let Some(data_dir) = cli.data_dir.clone() else {
        return usage_error("--data-dir DIR is required");
    };
    let config = Config::new(data_dir);
    let result = match cli.command {
        Command::Serve { listen } => serve(config, listen, cli.json),
        other => admin(config, other, cli.json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match e.downcast_ref::<Error>() {
            Some(Error::Invalid(m) | Error::NotFound(m)) => usage_error(m),
            _ => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

fn serve(config: Config, listen: SocketAddr, as_json: bool) -> Result<()> {
    tracing_subscriber::fmt()
        // Colours only on a terminal: log files stay plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // A log that cannot be written (full disk) is dropped: reporting it with `eprintln!`
        // would panic whichever task logged, failing its request (docs/RELIABILITY.md #3).
        .log_internal_errors(false)
        .init();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let pubkey = session_community::key::public_key(&config.data_dir, &mut rand_rng())?;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| anyhow::anyhow!("binding {listen}: {e}"))?;
        let addr = listener.local_addr()?;
        let pk = hex::encode(pubkey.as_bytes());
        if as_json {
            println!("{}", json!({ "listening": addr.to_string(), "pubkey": pk }));
        } else {
            println!("listening on {addr} pubkey {pk}");
        }
        let shutdown = CancellationToken::new();
        let signal = shutdown.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("shutting down");
            signal.cancel();
        });
        session_community::run(config, listener, shutdown).await?;
        Ok(())
    })
}

fn rand_rng() -> impl rand_core::CryptoRng {
    rand::rng()
}

async fn wait_for_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

fn admin(config: Config, command: Command, as_json: bool) -> Result<()> {
    let admin = Admin::open(config)?;
    match command {
        Command::Serve { .. } => unreachable!("handled by serve"),
        Command::Pubkey => {
            if as_json {
                println!("{}", json!({ "pubkey": admin.pubkey_hex() }));
            } else {
                println!("{}", admin.pubkey_hex());
            }
        }
        Command::Room(RoomCommand::Add {
            token,
            name,
            description,
        }) => {
            let r = admin.room_add(&token, &name, description.as_deref())?;
            print_room("created", &r, as_json);
        }
        Command::Room(RoomCommand::List) => {
            let rooms = admin.room_list()?;
            if as_json {
                println!("{}", serde_json::to_string(&rooms)?);
            } else if rooms.is_empty() {
                println!("no rooms");
            } else {
                for r in &rooms {
                    print_room_line(r);
                }
            }
        }
        Command::Room(RoomCommand::Delete { token }) => {
            let r = admin.room_delete(&token)?;
            print_room("deleted", &r, as_json);
        }
        Command::Moderator(ModeratorCommand::Add {
            ids,
            place,
            admin: a,
            visible,
        }) => {
            let done = admin.moderator_add(&ids, &place.scope(), a, visible)?;
            print_mods(&done, as_json)?;
        }
        Command::Moderator(ModeratorCommand::Remove { ids, place }) => {
            let done = admin.moderator_remove(&ids, &place.scope())?;
            print_mods(&done, as_json)?;
        }
    }
    Ok(())
}

fn print_room(action: &str, r: &RoomSummary, as_json: bool) {
    if as_json {
        println!("{}", json!({ action: r }));
    } else {
        println!("{action} room {} ({})", r.token, r.name);
    }
}

fn print_room_line(r: &RoomSummary) {
    let mods: Vec<String> = r
        .moderators
        .iter()
        .map(|m| {
            format!(
                "{}{}{}",
                m.session_id,
                if m.admin { " admin" } else { " moderator" },
                if m.visible { "" } else { " hidden" }
            )
        })
        .collect();
    println!(
        "{}\t{}\t{} messages\t{} active users{}{}",
        r.token,
        r.name,
        r.messages,
        r.active_users,
        r.description
            .as_deref()
            .map(|d| format!("\t{d}"))
            .unwrap_or_default(),
        if mods.is_empty() {
            String::new()
        } else {
            format!("\tmods: {}", mods.join(", "))
        }
    );
}

fn print_mods(done: &[ModResult], as_json: bool) -> Result<()> {
    if as_json {
        println!("{}", serde_json::to_string(done)?);
        return Ok(());
    }
    for m in done {
        let place = match &m.room {
            Some(t) => format!("room {t}"),
            None => "all rooms (global)".to_owned(),
        };
        let who = if m.applied_to == m.session_id {
            m.session_id.clone()
        } else {
            format!("{} (as {})", m.session_id, m.applied_to)
        };
        if m.role == "removed" {
            println!("removed {who} as moderator/admin of {place}");
        } else {
            println!(
                "added {who} as {}{} of {place}",
                if m.visible { "visible " } else { "hidden " },
                m.role
            );
        }
    }
    Ok(())
}
