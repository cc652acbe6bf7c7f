//! The demo's figures (issue 6): wall time from challenge to resolution, bisection rounds,
//! gas per side, time to answer one bisection query. The game moves come from each role's
//! own database, where every move is recorded with its gas and compute time.

use std::fmt;
use std::time::{Duration, Instant};

use opml_challenger::Challenger;
use opml_service::store::Side;
use opml_submitter::Submitter;

use crate::Result;

/// What the main loop saw happen, and when.
#[derive(Debug, Default)]
pub(super) struct Timeline {
    pub(super) challenge_at: Option<Instant>,
    pub(super) resolved_at: Option<Instant>,
    pub(super) rounds: usize,
    /// Chain seconds fast-forwarded while the game was open.
    pub(super) fast_forwarded: u64,
}

impl Timeline {
    /// The figures of `model`'s story (a trace of `steps` VM steps), with each side's moves
    /// read from its database.
    pub(super) fn collect(
        self,
        model: &str,
        steps: u64,
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
        Ok(Figures {
            model: model.to_string(),
            steps,
            step_proof_gas,
            challenge_to_resolution: self.challenge_at.zip(self.resolved_at).map(|(a, b)| b - a),
            fast_forwarded: self.fast_forwarded,
            rounds: self.rounds,
            sides,
            query_secs,
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
        };
        assert_eq!(
            f.to_string(),
            "\nfigures (digits model, 35149 VM steps, anvil):\n  wall time challenge → resolution: 12.3 s\n  bisection rounds: 3\n  gas, submitter's game moves: 100 (1 txs: bisect)\n  gas, challenger's game moves: 250 (2 txs: challenge prove)\n  gas of the step proof: 200\n  time to answer one bisection query: avg 0.250 s, max 0.500 s (3 moves)\n"
        );
    }
}
