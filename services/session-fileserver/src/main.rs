//! `session-fileserver`: the file server. Parses the command line, sets up logging, and calls
//! the `session-fileserver` library: `serve` runs the server until Ctrl-C or SIGTERM; `pubkey`
//! prints the server's X25519 key. Bad input prints one line and exits with status 2.

use anyhow::Result;
use clap::{Parser, Subcommand};
use session_fileserver::Config;
use session_fileserver::config::{DEFAULT_MAX_FILE_SIZE, THREE_WEEKS_SECS};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

/// A Session file server (session-file-server compatible): encrypted attachment blobs with
/// expiry, over HTTP and onion requests.
#[derive(Parser, Debug)]
#[command(name = "session-fileserver", version, about)]
struct Cli {
    /// Directory holding the blobs (files/, tmp/), the metadata database, the server key and
    /// the optional release data (releases.json); created if missing.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the server (the X25519 key is created on first start, mode 0600, and reused).
    #[command(after_help = SERVE_HELP)]
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port).
        #[arg(long, value_name = "ADDR")]
        listen: SocketAddr,
        /// Size limit of one upload, in bytes (larger and empty uploads are refused with 413).
        #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_FILE_SIZE)]
        max_file_size: u64,
        /// Default expiry: how long an upload lives without an X-FS-TTL header, in seconds
        /// (default 3 weeks). X-FS-TTL is clamped to [60 s, the larger of 3 weeks and this].
        #[arg(long, value_name = "SECONDS", default_value_t = THREE_WEEKS_SECS)]
        file_expiry: u64,
    },
    /// Print the server's X25519 public key (64 hex digits), creating the key if missing.
    Pubkey,
}

const SERVE_HELP: &str = "\
Endpoints: POST /file, GET /file/ID, GET /file/ID/info, POST /file/ID/extend, the legacy
POST /files and GET /files/ID, GET /session_version, and POST /oxen/v4/lsrpc,
/loki/v3/lsrpc and /oxen/v3/lsrpc for onion requests. Expired files are deleted every 15 s.

GET /session_version answers from DIR/releases.json when it exists, e.g.
  {\"desktop\": {\"version\": \"1.14.2\", \"updated\": 1733000000.0, \"name\": \"v1.14.2\",
               \"notes\": \"…\", \"assets\": [{\"name\": \"…\", \"url\": \"…\"}],
               \"prerelease\": {\"version\": \"1.15.0\"}},
   \"android\": {…}, \"ios\": {…}}
and with 502 for a platform it does not list.

The first line on stdout is `listening on ADDR pubkey HEX`.";

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
            eprintln!(
                "{}",
                text.lines().next().unwrap_or("error: invalid arguments")
            );
            return ExitCode::from(2);
        }
    };
    let Some(data_dir) = cli.data_dir else {
        return usage_error("--data-dir DIR is required");
    };
    let mut config = Config::new(data_dir);
    let result = match cli.command {
        Command::Serve {
            listen,
            max_file_size,
            file_expiry,
        } => {
            config.max_file_size = max_file_size;
            config.default_ttl_secs = file_expiry;
            if let Err(e) = config.check() {
                return usage_error(&e.to_string());
            }
            serve(config, listen)
        }
        Command::Pubkey => pubkey(&config),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn pubkey(config: &Config) -> Result<()> {
    let pk = session_fileserver::key::public_key(&config.data_dir, &mut rand::rng())?;
    println!("{}", hex::encode(pk.as_bytes()));
    Ok(())
}

fn serve(config: Config, listen: SocketAddr) -> Result<()> {
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
        let (srv, keys) = session_fileserver::open(config)?;
        let pk = srv.pubkey;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| anyhow::anyhow!("binding {listen}: {e}"))?;
        let addr = listener.local_addr()?;
        println!("listening on {addr} pubkey {}", hex::encode(pk.as_bytes()));
        let shutdown = CancellationToken::new();
        let signal = shutdown.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("shutting down");
            signal.cancel();
        });
        session_fileserver::serve(srv, keys, listener, shutdown).await?;
        Ok(())
    })
}

async fn wait_for_signal() {
    let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
