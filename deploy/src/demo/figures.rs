//! The demo's figures (issue 6): wall time from challenge to resolution, bisection rounds,
//! gas per side, time to answer one bisection query. The game moves come from each role's
//! own database, where every move is recorded with its gas and compute time.

use std::fmt;
use std::time::{Duration, Instant};

use opml_challenger::Challenger;
use opml_service::store::Side;
use opml_submitter::Submitter;

use super::{Depths, FastBoundaries};
use crate::Result;

/// What the main loop saw happen, and when.
#[derive(Debug, Default)]
pub(super) struct Timeline {
    pub(super) challenge_at: Option<Instant>,
    pub(super) resolved_at: Option<Instant>,
    pub(super) rounds: usize,
    /// Chain seconds fast-forwarded while the game was open.
    pub(super) fast_forwarded: u64,
    /// Peak resident memory while each role worked.
    pub(super) peaks: Peaks,
}

/// Peak resident memory (KiB) of this process while each role's passes ran (both roles run in
/// this process, one pass at a time: the peak is reset before each pass and read after it).
#[derive(Debug, Default)]
pub(super) struct Peaks {
    /// The process's resident memory before the roles' first pass (its programs loaded).
    baseline: Option<u64>,
    /// Per role (submitter, challenger): the highest peak over its passes.
    roles: [Option<u64>; 2],
}

impl Peaks {
    /// Before a pass: resets the process's peak; whether it could.
    pub(super) fn start(&mut self) -> bool {
        let reset = opml_service::memory::reset_peak();
        if reset && self.baseline.is_none() {
            self.baseline = opml_service::memory::peak_kib(std::process::id());
        }
        reset
    }

    /// After role `i`'s pass, started with [`Peaks::start`] (`reset`: whether that reset).
    pub(super) fn note(&mut self, i: usize, reset: bool) {
        if reset && let Some(kib) = opml_service::memory::peak_kib(std::process::id()) {
            self.roles[i] = Some(self.roles[i].map_or(kib, |p| p.max(kib)));
        }
    }
}

impl Timeline {
    /// The figures of `model`'s story (the run as the demo measured it), with each side's moves
    /// read from its database and, for a two-phase game, its rounds per phase from the chain.
    pub(super) async fn collect(
        self,
        model: &str,
        measured: &Depths,
        sub: &Submitter,
        cha: &Challenger,
    ) -> Result<Figures> {
        let mut sides = Vec::new();
        let mut query_secs = Vec::new();
        let mut step_proof_gas = None;
        for (name, agent, side) in [
            ("submitter", sub.service(), Side::Submitter),
            ("challenger", cha.service(), Side::Challenger),
        ] {
            let games = agent.store.games()?;
            let moves: Vec<_> = games
                .iter()
                .filter(|g| g.side == side)
                .flat_map(|g| g.moves.iter())
                .collect();
            if let Some(m) = moves.iter().find(|m| m.kind == "prove") {
                step_proof_gas = Some(m.gas_used);
            }
            query_secs.extend(
                moves
                    .iter()
                    .filter(|m| m.kind != "timeout")
                    .map(|m| m.compute_secs),
            );
            sides.push(SideFigures {
                name,
                gas: moves.iter().map(|m| m.gas_used).sum(),
                moves: moves.iter().map(|m| m.kind.clone()).collect(),
            });
        }
        let phase_rounds = phase_rounds(sub.service()).await?;
        let (sub_runs, sub_segments) = sub.service().vm_steps_replayed();
        let (cha_runs, cha_segments) = cha.service().vm_steps_replayed();
        let vm_steps_replayed = if phase_rounds.is_some() {
            (sub_segments, cha_segments)
        } else {
            (sub_runs, cha_runs)
        };
        Ok(Figures {
            phase_rounds,
            vm_steps_replayed,
            submitter_posting_steps: phase_rounds.map(|_| sub_runs),
            model: model.to_string(),
            steps: measured.steps,
            vm_secs: measured.vm_secs,
            fast_boundaries: measured.fast,
            step_proof_gas,
            challenge_to_resolution: self.challenge_at.zip(self.resolved_at).map(|(a, b)| b - a),
            fast_forwarded: self.fast_forwarded,
            rounds: self.rounds,
            sides,
            query_secs,
            peak_mib: self.peaks.roles.map(|k| k.map(|k| k / 1024)),
            baseline_mib: self.peaks.baseline.map(|k| k / 1024),
        })
    }
}

/// The figures of one demo run; `Display` prints them as `opml demo` does.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Figures {
    /// The model's name (its file's stem).
    pub model: String,
    /// VM steps of the disputed run.
    pub steps: u64,
    /// Gas of the transaction that proved the one disputed step, when the game ended so.
    pub step_proof_gas: Option<u64>,
    /// Wall time from the game's start to its resolution (when both were seen).
    pub challenge_to_resolution: Option<Duration>,
    /// Chain seconds fast-forwarded meanwhile (waiting out a clock).
    pub fast_forwarded: u64,
    /// Bisection moves on-chain.
    pub rounds: usize,
    /// Each side's game moves.
    pub sides: Vec<SideFigures>,
    /// Seconds each move (but timeouts) took to compute, both sides.
    pub query_secs: Vec<f64>,
    /// A two-phase game's bisection moves in phase 1 (the opening included) and in phase 2
    /// (the transition included).
    pub phase_rounds: Option<(usize, usize)>,
    /// VM steps each side (submitter, challenger) replayed for the game: the opened segment
    /// (and what reaching its boundary took) in a two-phase game, the whole run otherwise.
    pub vm_steps_replayed: (u64, u64),
    /// In a two-phase game, the VM steps the submitter ran to post its result (its whole run).
    pub submitter_posting_steps: Option<u64>,
    /// Peak resident memory (MiB, `VmHWM`) of the demo's process while the submitter's and
    /// the challenger's passes ran (the process's resident memory at the time included).
    pub peak_mib: [Option<u64>; 2],
    /// The process's resident memory (MiB) before the roles' first pass: the demo's and both
    /// roles' loaded programs.
    pub baseline_mib: Option<u64>,
    /// Seconds the demo's own VM run of the whole trace took (no checkpoints, no hashing).
    pub vm_secs: f64,
    /// A segmented program's fast-path run with every boundary hashed (the demo's own).
    pub fast_boundaries: Option<FastBoundaries>,
}

/// `(phase 1, phase 2)` bisection moves of the first game, if it had two phases: its
/// `Bisected` events before and from its `SegmentOpened`.
async fn phase_rounds(svc: &opml_service::Service) -> Result<Option<(usize, usize)>> {
    use opml_service::chain::failed;
    let o = &svc.chain.oracle;
    let opened = o
        .SegmentOpened_filter()
        .from_block(0u64)
        .query()
        .await
        .map_err(failed("reading SegmentOpened"))?;
    let Some((ev, at)) = opened.into_iter().next() else {
        return Ok(None);
    };
    let key = |l: &alloy::rpc::types::Log| (l.block_number, l.log_index);
    let bisected = o
        .Bisected_filter()
        .topic1(alloy::primitives::B256::from(ev.gameId))
        .from_block(0u64)
        .query()
        .await
        .map_err(failed("reading Bisected"))?;
    let before = bisected.iter().filter(|(_, l)| key(l) < key(&at)).count();
    Ok(Some((before, bisected.len() - before)))
}

/// One side's game moves.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SideFigures {
    /// `submitter` or `challenger`.
    pub name: &'static str,
    /// Gas of all its game transactions.
    pub gas: u64,
    /// Their kinds, in order (`challenge`, `bisect`, `prove`, `timeout`).
    pub moves: Vec<String>,
}

impl fmt::Display for Figures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "\nfigures ({} model, {} VM steps, anvil):",
            self.model, self.steps
        )?;
        if let Some(d) = self.challenge_to_resolution {
            let ff = if self.fast_forwarded > 0 {
                format!(" ({} s of chain time fast-forwarded)", self.fast_forwarded)
            } else {
                String::new()
            };
            writeln!(
                f,
                "  wall time challenge → resolution: {:.1} s{ff}",
                d.as_secs_f64()
            )?;
        }
        writeln!(f, "  bisection rounds: {}", self.rounds)?;
        if let Some((p1, p2)) = self.phase_rounds {
            writeln!(f, "  phase 1 rounds: {p1}")?;
            writeln!(f, "  phase 2 rounds: {p2}")?;
        }
        let (a, b) = self.vm_steps_replayed;
        writeln!(
            f,
            "  VM steps replayed: submitter {a}, challenger {b} of {}",
            self.steps
        )?;
        if let Some(n) = self.submitter_posting_steps {
            writeln!(f, "  (the submitter ran {n} VM steps to post its result)")?;
        }
        if let Some(b) = &self.fast_boundaries {
            writeln!(
                f,
                "  fast path, every boundary hash: {} boundaries in {:.3} s (hashing alone {:.3} s)",
                b.boundaries,
                b.run.as_secs_f64(),
                b.hashing.as_secs_f64()
            )?;
            let speed = self.steps as f64 / self.vm_secs.max(1e-9);
            writeln!(
                f,
                "  VM speed: {:.1} M steps/s (the demo's own run of all {} steps: {:.1} s, no checkpoints)",
                speed / 1e6,
                self.steps,
                self.vm_secs
            )?;
            writeln!(
                f,
                "  single-phase replay of the same trace: {} VM steps per side, {:.1} s at that speed",
                self.steps, self.vm_secs
            )?;
        }
        for s in &self.sides {
            writeln!(
                f,
                "  gas, {}'s game moves: {} ({} txs: {})",
                s.name,
                s.gas,
                s.moves.len(),
                s.moves.join(" ")
            )?;
        }
        if let Some(g) = self.step_proof_gas {
            writeln!(f, "  gas of the step proof: {g}")?;
        }
        if let ([Some(s), Some(c)], Some(b)) = (self.peak_mib, self.baseline_mib) {
            writeln!(
                f,
                "  peak memory (VmHWM) while each role worked: submitter {s} MiB, challenger {c} MiB (one process, both roles; {b} MiB before their first pass)"
            )?;
        }
        let q = &self.query_secs;
        if !q.is_empty() {
            let max = q.iter().copied().fold(0.0, f64::max);
            let avg = q.iter().sum::<f64>() / q.len() as f64;
            writeln!(
                f,
                "  time to answer one bisection query: avg {avg:.3} s, max {max:.3} s ({} moves)",
                q.len()
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_print_as_the_demo_always_did() {
        let f = Figures {
            model: "digits".into(),
            steps: 35_149,
            step_proof_gas: Some(200),
            challenge_to_resolution: Some(Duration::from_millis(12_340)),
            fast_forwarded: 0,
            rounds: 3,
            sides: vec![
                SideFigures {
                    name: "submitter",
                    gas: 100,
                    moves: vec!["bisect".into()],
                },
                SideFigures {
                    name: "challenger",
                    gas: 250,
                    moves: vec!["challenge".into(), "prove".into()],
                },
            ],
            query_secs: vec![0.5, 0.25, 0.0],
            phase_rounds: None,
            vm_steps_replayed: (35_149, 35_149),
            submitter_posting_steps: None,
            peak_mib: [None, None],
            baseline_mib: None,
            vm_secs: 0.5,
            fast_boundaries: None,
        };
        assert_eq!(
            f.to_string(),
            "\nfigures (digits model, 35149 VM steps, anvil):\n  wall time challenge → resolution: 12.3 s\n  bisection rounds: 3\n  VM steps replayed: submitter 35149, challenger 35149 of 35149\n  gas, submitter's game moves: 100 (1 txs: bisect)\n  gas, challenger's game moves: 250 (2 txs: challenge prove)\n  gas of the step proof: 200\n  time to answer one bisection query: avg 0.250 s, max 0.500 s (3 moves)\n"
        );
        let two = Figures {
            phase_rounds: Some((3, 7)),
            vm_steps_replayed: (3_000, 2_000),
            submitter_posting_steps: Some(2_000_000),
            peak_mib: [Some(900), Some(1100)],
            baseline_mib: Some(700),
            fast_boundaries: Some(FastBoundaries {
                boundaries: 1025,
                run: Duration::from_millis(40),
                hashing: Duration::from_millis(30),
            }),
            ..f
        };
        let text = two.to_string();
        assert!(
            text.contains("  phase 1 rounds: 3\n  phase 2 rounds: 7\n  VM steps replayed: submitter 3000, challenger 2000 of 35149\n"),
            "{text}"
        );
        assert!(
            text.contains("\n  peak memory (VmHWM) while each role worked: submitter 900 MiB, challenger 1100 MiB (one process, both roles; 700 MiB before their first pass)\n"),
            "{text}"
        );
        assert!(
            text.contains("  fast path, every boundary hash: 1025 boundaries in 0.040 s (hashing alone 0.030 s)\n  VM speed: 0.1 M steps/s (the demo's own run of all 35149 steps: 0.5 s, no checkpoints)\n  single-phase replay of the same trace: 35149 VM steps per side, 0.5 s at that speed\n"),
            "{text}"
        );
    }
}
