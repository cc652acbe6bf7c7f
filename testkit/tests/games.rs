//! Whole games between an honest and a lying trace, refereed by a Rust model of the contract's
//! rules (`OpMLOracle.bisect/proveStep`): the honest side wins every one. Two-phase games are
//! in `games/two_phase.rs`.

#[path = "games/two_phase.rs"]
mod two_phase;

use alloy_primitives::{B256, keccak256};
use opml_game::{Bisection, Move, Result, Selection, Trace, opening, respond, rounds, split, tree};
use opml_testkit::{Lie, LyingTrace};

/// A fake program that halts at `halt`; its "proof" of step n is n itself, and the referee's
/// verifier recomputes the honest next hash from it.
struct Fake {
    halt: u64,
}

fn honest_hash(n: u64, halt: u64) -> B256 {
    let mut h = keccak256(n.min(halt).to_be_bytes());
    h[0] = u8::from(n >= halt); // status byte: halted at the end
    h
}

impl Trace for Fake {
    fn state_hash_at(&self, n: u64) -> Result<B256> {
        Ok(honest_hash(n, self.halt))
    }
    fn step_proof(&self, n: u64) -> Result<Vec<u8>> {
        Ok(n.to_be_bytes().to_vec())
    }
}

/// The referee's one-step verifier: reverts (None) on a proof inconsistent with `pre`.
fn verify_step(pre: &B256, proof: &[u8], halt: u64) -> Option<B256> {
    if pre[0] != 0 {
        return Some(*pre);
    }
    let n = u64::from_be_bytes(proof.try_into().ok()?);
    (honest_hash(n, halt) == *pre).then(|| honest_hash(n + 1, halt))
}

#[derive(Debug, PartialEq)]
enum Winner {
    Submitter,
    Challenger,
}

/// The contract's `_select` checks: the agreed hash is the bisection's start or the entry before
/// the disputed one, both proven against the bisection's root.
fn check_selection(last: &Bisection, sel: &Selection) {
    let root = tree::root(&last.hashes);
    let i = sel.index as usize;
    if i == 0 {
        assert_eq!(sel.agreed, last.start_hash);
    } else {
        assert!(tree::verify(&root, &sel.agreed, i - 1, &sel.agreed_proof));
    }
    assert!(tree::verify(&root, &sel.disputed, i, &sel.disputed_proof));
}

/// Plays a game, the challenger opening; a side with no valid move loses (by its clock).
fn play(sub: &dyn Trace, cha: &dyn Trace, depth: u8, k_log: u8, halt: u64) -> (Winner, u32) {
    let claim = sub.state_hash_at(1 << depth).unwrap();
    let Some(hashes) = opening(cha, depth, k_log, &claim).unwrap() else {
        return (Winner::Submitter, 0);
    };
    // S_0 is computed on-chain: the truth whoever lies.
    let mut last = Bisection {
        start: 0,
        len_log: depth,
        start_hash: honest_hash(0, halt),
        hashes,
    };
    let mut challenger_turn = false;
    let mut moves = 1;
    loop {
        let me = if challenger_turn { cha } else { sub };
        let lose = if challenger_turn {
            Winner::Submitter
        } else {
            Winner::Challenger
        };
        let Ok(mv) = respond(me, k_log, &last) else {
            return (lose, moves);
        };
        moves += 1;
        let (_, sub_log) = split(last.len_log, k_log);
        let sel = match &mv {
            Move::Bisect { sel, .. } | Move::Prove { sel, .. } => sel.clone(),
            Move::OpenSegment { .. } => panic!("a single-phase game opens no segment"),
        };
        check_selection(&last, &sel);
        let i = sel.index as usize;
        match mv {
            Move::Prove { proof, .. } => {
                assert_eq!(sub_log, 0);
                return match verify_step(&sel.agreed, &proof, halt) {
                    Some(post) if post != sel.disputed => (
                        if challenger_turn {
                            Winner::Challenger
                        } else {
                            Winner::Submitter
                        },
                        moves,
                    ),
                    _ => (lose, moves), // StepAgrees or a bad proof: the move reverts
                };
            }
            Move::OpenSegment { .. } => unreachable!(),
            Move::Bisect { hashes, .. } => {
                assert!(sub_log > 0);
                assert_eq!(hashes.len(), 1 << split(sub_log, k_log).0);
                assert_ne!(hashes.last(), Some(&sel.disputed), "EndAgrees");
                last = Bisection {
                    start: last.start + ((i as u64) << sub_log),
                    len_log: sub_log,
                    start_hash: sel.agreed,
                    hashes,
                };
            }
        }
        challenger_turn = !challenger_turn;
    }
}

fn lies(halt: u64, depth: u8) -> Vec<Lie> {
    let fake = {
        let mut h = keccak256(b"fake final");
        h[0] = 1;
        h
    };
    let mut v = vec![
        Lie::FinalState(fake),
        Lie::FromStep(0),
        Lie::FromStep(1),
        Lie::FromStep(halt),
    ];
    v.extend(
        [
            halt / 2,
            halt.saturating_sub(1),
            (1u64 << depth) - 1,
            1u64 << depth,
        ]
        .map(Lie::FromStep),
    );
    v
}

#[test]
fn the_honest_side_wins_every_game() {
    for depth in [1u8, 2, 5, 8, 13] {
        for k_log in [1u8, 2, 3, 4] {
            for halt in [1u64, 3, (1 << depth) / 2 + 1, 1 << depth] {
                let halt = halt.min(1 << depth);
                for lie in lies(halt, depth) {
                    let honest = Fake { halt };
                    let liar = LyingTrace::new(Fake { halt }, lie, halt);
                    let (w, _) = play(&liar, &honest, depth, k_log, halt);
                    assert_eq!(
                        w,
                        Winner::Challenger,
                        "lying submitter {lie:?} d={depth} k={k_log} halt={halt}"
                    );
                    let (w, _) = play(&honest, &liar, depth, k_log, halt);
                    assert_eq!(
                        w,
                        Winner::Submitter,
                        "lying challenger {lie:?} d={depth} k={k_log} halt={halt}"
                    );
                }
            }
        }
    }
}

#[test]
fn an_honest_challenger_does_not_dispute_an_honest_claim() {
    let t = Fake { halt: 100 };
    assert_eq!(
        opening(&t, 8, 2, &t.state_hash_at(256).unwrap()).unwrap(),
        None
    );
}

#[test]
fn a_game_takes_about_depth_over_k_log_moves() {
    let halt = 1000;
    let honest = Fake { halt };
    let liar = LyingTrace::new(Fake { halt }, Lie::FromStep(777), halt);
    let (w, moves) = play(&liar, &honest, 20, 4, halt);
    assert_eq!(w, Winner::Challenger);
    // 5 bisections, then the proof.
    assert_eq!(moves, rounds(20, 4) + 1);
}

#[test]
fn respond_rejects_a_malformed_bisection() {
    let t = Fake { halt: 10 };
    let b = Bisection {
        start: 0,
        len_log: 4,
        start_hash: t.state_hash_at(0).unwrap(),
        hashes: vec![B256::ZERO; 3],
    };
    assert!(respond(&t, 2, &b).is_err());
    let b = Bisection {
        start: 0,
        len_log: 4,
        start_hash: B256::ZERO,
        hashes: vec![B256::ZERO; 4],
    };
    assert!(matches!(
        respond(&t, 2, &b),
        Err(opml_game::Error::StartDisagrees { step: 0 })
    ));
}
