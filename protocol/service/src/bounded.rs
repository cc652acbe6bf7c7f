//! Work on many items of a pass at once, bounded. Under a burst a role holds hundreds of
//! requests, results or games, and most of the time each one spends is waiting for the node
//! (a receipt, `confirmations` blocks); handled one after the other, a pass would take a block
//! or two per item. [`each`] keeps up to `limit` of them in flight on the pass's task (the CPU
//! work inside runs on blocking threads, bounded apart: `Traces`), and returns once all ran.

use std::future::Future;

use futures::stream::{self, StreamExt};

use crate::Result;

/// The default bound of items in flight (`--concurrency`). An item mostly waits (for the node,
/// a receipt, a confirmation), so the bound is about what the node takes at once, not the
/// cores: with 32, a burst of 500 requests queued behind 16 rounds of a commitment and a reveal
/// each (p95 32 s from request to result in `load`); with 256, a burst of that size is in
/// flight at once.
pub const DEFAULT_CONCURRENCY: usize = 256;

/// Runs `f` on every item, at most `limit` at a time (at least one), until all have run.
/// Returns whether any is still busy. Every item runs even when another fails: a failure of
/// one (a retryable one: [`crate::isolate`] leaves only those) is returned once all are done,
/// so the pass still ends and backs off as it would have, without dropping the others' work
/// half-way.
pub async fn each<T, F, Fut>(items: impl IntoIterator<Item = T>, limit: usize, f: F) -> Result<bool>
where
    F: FnMut(T) -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    let outcomes: Vec<Result<bool>> = stream::iter(items)
        .map(f)
        .buffer_unordered(limit.max(1))
        .collect()
        .await;
    let mut busy = false;
    let mut failure = None;
    for o in outcomes {
        match o {
            Ok(b) => busy |= b,
            Err(e) => {
                failure.get_or_insert(e);
            }
        }
    }
    failure.map_or(Ok(busy), Err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn runs_at_most_the_limit_at_once_and_every_item() {
        let (now, peak, done) = (
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        );
        let (now, peak, done) = (&now, &peak, &done);
        let busy = each(0..20u64, 4, move |i| async move {
            let n = now.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(n, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(5 + i % 3)).await;
            now.fetch_sub(1, Ordering::SeqCst);
            done.fetch_add(1, Ordering::SeqCst);
            Ok(i == 7)
        })
        .await
        .unwrap();
        assert!(busy, "one item said it is busy");
        assert_eq!(done.load(Ordering::SeqCst), 20);
        assert_eq!(peak.load(Ordering::SeqCst), 4, "four in flight, never more");
    }

    #[tokio::test]
    async fn a_failure_is_returned_after_every_item_ran() {
        let done = AtomicUsize::new(0);
        let counted = &done;
        let r = each(0..10u64, 3, move |i| async move {
            counted.fetch_add(1, Ordering::SeqCst);
            if i == 2 {
                return Err(crate::Error::Config("item 2".into()));
            }
            Ok(false)
        })
        .await;
        assert!(matches!(r, Err(crate::Error::Config(m)) if m == "item 2"));
        assert_eq!(done.load(Ordering::SeqCst), 10, "the others still ran");
        // No item: nothing busy, no failure; a limit of 0 still makes progress.
        assert!(
            !each(Vec::<u8>::new(), 0, |_| async { Ok(true) })
                .await
                .unwrap()
        );
        assert!(each([1], 0, |_| async { Ok(true) }).await.unwrap());
    }
}
