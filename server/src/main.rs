//! `session-keeper-server`: runs the reference backend until SIGINT or SIGTERM.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use session_keeper_server::cli::Cli;
use session_keeper_server::start;

/// In-flight requests get this long to finish after a signal before the process exits anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
    let config = Cli::parse().into_config();

    let server = match start(config).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("session-keeper-server: {error}");
            return ExitCode::FAILURE;
        }
    };
    // Tests and Playwright read the port from this line, so it goes out (flushed) before
    // anything else is printed to stdout.
    println!("{}", server.banner());
    let _ = std::io::stdout().flush();

    shutdown_signal().await;
    eprintln!("session-keeper-server: shutting down");
    match tokio::time::timeout(SHUTDOWN_GRACE, server.shutdown()).await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(error)) => {
            eprintln!("session-keeper-server: {error}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("session-keeper-server: connections still open after shutdown grace period");
            ExitCode::SUCCESS
        }
    }
}

/// Resolves on Ctrl-C (SIGINT) or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
