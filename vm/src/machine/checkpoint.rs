//! Checkpoints: a run from step 0 that keeps a snapshot every `interval` steps, so the state
//! hash at any step is recomputed from the nearest snapshot at or below it. Snapshots share
//! unchanged 8 KiB memory chunks (and their subtrees) with the previous snapshot, but each
//! holds its own table of them and the tree above them: about 100 bytes per chunk, 1 MiB for a
//! 100 MB memory. So the snapshots a recording keeps are bounded ([`SNAPSHOT_BUDGET`]): past
//! the bound every other one is dropped and the interval doubles, and a long run over a large
//! memory (a MiniLM segment) holds a few hundred MiB, not tens of GiB.

use std::sync::Arc;

use super::Machine;
use super::memory::{CHUNK_BYTES, LEAF_BYTES};
use crate::{B256, Program, Status};

/// A machine without its memory bytes, plus the memory as shared chunks.
#[derive(Debug, Clone)]
struct Snapshot {
    machine: Machine,
    chunks: Vec<Arc<[u8]>>,
}

impl Snapshot {
    /// Takes a snapshot of `m` (hashing it first), sharing chunks unchanged since `prev`.
    fn take(m: &mut Machine, prev: Option<&Snapshot>) -> Snapshot {
        m.state_hash();
        let mem = &mut m.mem;
        let n = mem.chunks.len();
        let chunks = (0..n)
            .map(|c| {
                let dirty = mem.snap_dirty[c / 64] & (1 << (c % 64)) != 0;
                match prev.and_then(|p| p.chunks.get(c)) {
                    Some(shared) if !dirty => Arc::clone(shared),
                    _ => mem.bytes[c * CHUNK_BYTES..(c + 1) * CHUNK_BYTES].into(),
                }
            })
            .collect();
        mem.snap_dirty.iter_mut().for_each(|w| *w = 0);
        let bytes = std::mem::take(&mut mem.bytes);
        let dirty = std::mem::take(&mut mem.dirty);
        let machine = m.clone();
        m.mem.bytes = bytes;
        m.mem.dirty = dirty;
        Snapshot { machine, chunks }
    }

    /// A live machine in the snapshot's state.
    fn restore(&self) -> Machine {
        let mut m = self.machine.clone();
        let mut bytes = Vec::with_capacity(self.chunks.len() * CHUNK_BYTES);
        for c in &self.chunks {
            bytes.extend_from_slice(c);
        }
        m.mem.dirty = vec![0; bytes.len() / LEAF_BYTES / 64];
        m.mem.bytes = bytes;
        m.mem.snap_dirty.iter_mut().for_each(|w| *w = u64::MAX);
        m
    }
}

/// Bytes of snapshots a recording keeps at most, about (see the module docs).
pub const SNAPSHOT_BUDGET: usize = 512 << 20;

/// Snapshots of a machine like `m` that fit in [`SNAPSHOT_BUDGET`] (at least 64): each holds
/// its chunk table and the tree above the chunks (~100 bytes a chunk), plus the chunks a run
/// changed since the previous one (8 KiB of bytes and 16 KiB of subtree each; a few assumed).
fn max_snapshots(m: &Machine) -> usize {
    let per_snapshot = m.mem.chunks.len() * 100 + 4 * 24 * 1024;
    (SNAPSHOT_BUDGET / per_snapshot).max(64)
}

/// A recorded run with snapshots every `interval` steps.
#[derive(Debug, Clone)]
pub struct Checkpoints {
    interval: u64,
    snapshots: Vec<Snapshot>,
    /// Steps the recorded run took before it stopped (halted, trapped, or hit its bound).
    steps: u64,
    final_hash: B256,
    final_status: Status,
}

impl Checkpoints {
    /// Runs `program` on `input` from step 0 for at most `max_steps` steps (stopping early when it
    /// halts or traps), keeping a snapshot at every multiple of `interval` (0 is read as 1).
    pub fn record(program: &Arc<Program>, input: &[u8], interval: u64, max_steps: u64) -> Self {
        Self::record_with_progress(program, input, interval, max_steps, |_| {})
    }

    /// As [`Checkpoints::record`], calling `on_progress` with the steps done after every
    /// interval, so a caller can show how far a long replay is; the last call reports
    /// [`Checkpoints::steps`].
    pub fn record_with_progress(
        program: &Arc<Program>,
        input: &[u8],
        interval: u64,
        max_steps: u64,
        on_progress: impl FnMut(u64),
    ) -> Self {
        Self::record_from_with_progress(
            Machine::new(program, input),
            interval,
            max_steps,
            on_progress,
        )
    }

    /// As [`Checkpoints::record`], from a machine at step 0 prepared by the caller.
    pub fn record_from(m: Machine, interval: u64, max_steps: u64) -> Self {
        Self::record_from_with_progress(m, interval, max_steps, |_| {})
    }

    /// As [`Checkpoints::record_from`], reporting progress as
    /// [`Checkpoints::record_with_progress`] does. Observing changes nothing recorded.
    /// The interval doubles (every other snapshot dropped) whenever more snapshots than fit in
    /// [`SNAPSHOT_BUDGET`] were kept: [`Checkpoints::interval`] is the final one.
    pub fn record_from_with_progress(
        m: Machine,
        interval: u64,
        max_steps: u64,
        on_progress: impl FnMut(u64),
    ) -> Self {
        let max = max_snapshots(&m);
        Self::record_within(m, interval, max_steps, max, on_progress)
    }

    /// [`Checkpoints::record_from_with_progress`] keeping at most about `max_snapshots`.
    fn record_within(
        mut m: Machine,
        interval: u64,
        max_steps: u64,
        max_snapshots: usize,
        mut on_progress: impl FnMut(u64),
    ) -> Self {
        let mut interval = interval.max(1);
        let mut snapshots: Vec<Snapshot> = Vec::new();
        let mut reported = None;
        loop {
            let s = Snapshot::take(&mut m, snapshots.last());
            snapshots.push(s);
            let left = max_steps.saturating_sub(m.steps);
            if m.status != Status::Running || left == 0 {
                // The last snapshot may stand between two multiples of the interval: kept.
                break;
            }
            // Snapshot i stands at step i · interval; with i even for the last one, the even
            // ones stand at multiples of twice the interval, the last one among them.
            if snapshots.len() > max_snapshots
                && (snapshots.len() - 1).is_multiple_of(2)
                && let Some(doubled) = interval.checked_mul(2)
            {
                let mut i = 0;
                snapshots.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
                interval = doubled;
            }
            m.run(interval.min(left));
            on_progress(m.steps);
            reported = Some(m.steps);
        }
        if reported != Some(m.steps) {
            on_progress(m.steps);
        }
        let steps = m.steps;
        let final_hash = m.state_hash();
        Self {
            interval,
            snapshots,
            steps,
            final_hash,
            final_status: m.status,
        }
    }

    /// The snapshot interval.
    pub fn interval(&self) -> u64 {
        self.interval
    }

    /// Steps the recorded run executed: where it halted or trapped, or its bound.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Status at the end of the recorded run.
    pub fn final_status(&self) -> Status {
        self.final_status
    }

    /// State hash at the end of the recorded run (and at every later step once it stopped).
    pub fn final_hash(&self) -> B256 {
        self.final_hash
    }

    /// A machine at step `n`, restored from the nearest snapshot at or below `n`. Past the end
    /// of a stopped run the machine is the stopped one (its identity steps counted).
    pub fn machine_at(&self, n: u64) -> Machine {
        let i = ((n / self.interval) as usize).min(self.snapshots.len() - 1);
        let mut m = self.snapshots[i].restore();
        let want = n - m.steps;
        let ran = m.run(want);
        m.steps += want - ran;
        m
    }

    /// The state hash at step `n`.
    pub fn state_hash_at(&self, n: u64) -> B256 {
        if n >= self.steps && self.final_status != Status::Running {
            return self.final_hash;
        }
        let i = ((n / self.interval) as usize).min(self.snapshots.len() - 1);
        let s = &self.snapshots[i];
        if s.machine.steps == n
            && let Some(h) = s.machine.hc.state
        {
            return h;
        }
        self.machine_at(n).state_hash()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::tests::workload::workload;

    #[test]
    fn snapshots_share_unchanged_chunks() {
        let cp = Checkpoints::record(&workload(), &[7; 30], 40, 1_000_000);
        assert!(cp.snapshots.len() > 10);
        let total: usize = cp.snapshots.iter().map(|s| s.chunks.len()).sum();
        let mut distinct: Vec<*const u8> = cp
            .snapshots
            .iter()
            .flat_map(|s| s.chunks.iter().map(|c| c.as_ptr()))
            .collect();
        distinct.sort();
        distinct.dedup();
        // the workload writes only its first chunk; the other 7 (then 15) are shared
        assert!(
            distinct.len() * 4 < total,
            "{} distinct of {total}",
            distinct.len()
        );
        for s in &cp.snapshots {
            assert!(s.machine.mem.bytes.is_empty());
        }
    }

    /// A run far longer than the snapshots the budget allows keeps at most that many: the
    /// interval doubles, and every hash is still the plain run's.
    #[test]
    fn snapshots_stay_within_the_budget_as_the_interval_doubles() {
        let plain = Checkpoints::record(&workload(), &[7; 30], 1 << 20, 1_000_000);
        let steps = plain.steps();
        assert!(steps > 400, "{steps} steps");
        let cp = Checkpoints::record_within(
            Machine::new(&workload(), &[7; 30]),
            1,
            1_000_000,
            10,
            |_| {},
        );
        assert!(cp.snapshots.len() <= 11, "{} snapshots", cp.snapshots.len());
        assert!(cp.interval() >= steps / 11, "interval {}", cp.interval());
        assert!(cp.interval().is_power_of_two());
        let (last, regular) = cp.snapshots.split_last().unwrap();
        for (i, s) in regular.iter().enumerate() {
            assert_eq!(s.machine.steps, i as u64 * cp.interval(), "snapshot {i}");
        }
        // The last one: where the run stopped, past the one before it.
        assert_eq!(last.machine.steps, steps);
        assert!(steps - regular.last().unwrap().machine.steps <= cp.interval());
        assert_eq!((cp.steps(), cp.final_hash()), (steps, plain.final_hash()));
        for n in (0..=steps + 2).step_by(7).chain([steps - 1, steps]) {
            assert_eq!(cp.state_hash_at(n), plain.state_hash_at(n), "hash at {n}");
        }
        // A machine of a 100 MB memory keeps a few hundred snapshots at most.
        assert!(max_snapshots(&Machine::new(&workload(), &[])) > 1000);
    }

    /// Progress reports rise strictly, end at the recorded total, and leave the recording as
    /// it is without an observer.
    #[test]
    fn progress_rises_to_the_total_and_changes_nothing() {
        for (interval, max) in [(40, 1_000_000), (1, 500), (7, 333), (1 << 20, 1_000_000)] {
            let mut seen = Vec::new();
            let cp = Checkpoints::record_with_progress(&workload(), &[7; 30], interval, max, |n| {
                seen.push(n)
            });
            let plain = Checkpoints::record(&workload(), &[7; 30], interval, max);
            assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
            assert_eq!(seen.last(), Some(&cp.steps()));
            assert_eq!(cp.steps(), plain.steps());
            assert_eq!(cp.final_hash(), plain.final_hash());
            assert_eq!(cp.snapshots.len(), plain.snapshots.len());
            for n in [0, 1, cp.steps() / 2, cp.steps()] {
                assert_eq!(cp.state_hash_at(n), plain.state_hash_at(n));
            }
            if max > cp.steps() {
                // the run stopped by itself: reports come every interval
                assert_eq!(seen.len() as u64, cp.steps().div_ceil(interval));
            }
        }
    }
}
