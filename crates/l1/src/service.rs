//! The round loop every L1-facing service runs (batcher, proposer): do one round; on
//! progress go again at once, on nothing to do or an error wait `poll`; stop when
//! `shutdown` resolves. Errors are logged and retried, never fatal.

use std::{fmt::Display, future::Future, time::Duration};

/// Runs `round` until `shutdown`; `done` sees every round that made progress.
/// `what` names the round in the retry warning ("batch round failed; retrying").
pub async fn run_rounds<T, E, F, Fut>(what: &'static str, poll: Duration, mut round: F, mut done: impl FnMut(T), shutdown: impl Future<Output = ()>)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, E>>,
    E: Display,
{
    tokio::pin!(shutdown);
    loop {
        let wait = match round().await {
            Ok(Some(progress)) => {
                done(progress);
                Duration::ZERO
            }
            Ok(None) => poll,
            Err(e) => {
                tracing::warn!(error = %e, "{what} round failed; retrying");
                poll
            }
        };
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(wait) => {}
        }
    }
    tracing::info!("{what} service stopped");
}
