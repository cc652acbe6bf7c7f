//! Whole two-phase games (`docs/protocol.md` §5.3): phase 1 over boundaries, the transition
//! (`openSegment`: the revealed boundary checked, phase 2 started from its resumed hash), phase
//! 2 over one segment's steps, refereed by a Rust model of the contract's rules. The honest
//! side wins every one, as submitter and as challenger.

use alloy_primitives::{B256, keccak256};
use opml_game::{
    Bisection, BoundaryMove, BoundaryTrace, Move, Result, Trace, open_segment, opening, respond,
    respond_over_boundaries, split,
};
use opml_testkit::{Lie, LyingTrace};

const RUNNING: u8 = 0;
const HALTED: u8 = 1;
const YIELDED: u8 = 3;

/// A fake segmented program: `segments` segments of `len` steps, halting at `B_segments`.
#[derive(Clone, Copy)]
struct World {
    segments: u64,
    len: u64,
}

fn tagged(tag: &str, a: u64, b: u64, status: u8) -> B256 {
    let mut h = keccak256([tag.as_bytes(), &a.to_be_bytes(), &b.to_be_bytes()].concat());
    h[0] = status;
    h
}

impl World {
    /// The true `B_j`: `S_0` running, then yielded, halted from `B_segments` on.
    fn boundary(&self, j: u64) -> B256 {
        match j {
            0 => tagged("B", 0, 0, RUNNING),
            j if j < self.segments => tagged("B", j, 0, YIELDED),
            _ => tagged("B", self.segments, 0, HALTED),
        }
    }

    /// `resume(B_j)`: yielded becomes running; `S_0` and a halted state stay as they are.
    fn resumed(&self, j: u64) -> B256 {
        match j {
            j if j == 0 || j >= self.segments => self.boundary(j),
            j => tagged("R", j, 0, RUNNING),
        }
    }

    /// `T^j_s`.
    fn step_hash(&self, j: u64, s: u64) -> B256 {
        match s {
            0 => self.resumed(j),
            _ if j >= self.segments => self.boundary(j),
            s if s < self.len => tagged("T", j, s, RUNNING),
            _ => self.boundary(j + 1),
        }
    }

    /// The verifier: a stopped state steps to itself; a running one only with the proof of
    /// its own step (else the proof is rejected: `None`).
    fn verify_step(&self, pre: &B256, proof: &[u8]) -> Option<B256> {
        if pre[0] != RUNNING {
            return Some(*pre);
        }
        let (j, s) = proof.split_at_checked(8)?;
        let (j, s) = (
            u64::from_be_bytes(j.try_into().ok()?),
            u64::from_be_bytes(s.try_into().ok()?),
        );
        (self.step_hash(j, s) == *pre).then(|| self.step_hash(j, s + 1))
    }
}

struct Segment {
    world: World,
    j: u64,
}

impl Trace for Segment {
    fn state_hash_at(&self, n: u64) -> Result<B256> {
        Ok(self.world.step_hash(self.j, n))
    }
    fn step_proof(&self, n: u64) -> Result<Vec<u8>> {
        Ok([self.j.to_be_bytes(), n.to_be_bytes()].concat())
    }
}

/// A player: its boundaries and segments, honest or lying as [`opml_testkit::Liar`] does.
struct Player {
    world: World,
    boundaries: Box<dyn Trace>,
    lie: Lie,
}

impl Player {
    fn new(world: World, d1: u8, lie: Lie) -> Self {
        let hashes = (0..=world.segments.min(1 << d1))
            .map(|j| world.boundary(j))
            .collect();
        let honest = BoundaryTrace::new(hashes).unwrap();
        let last = honest.segments();
        Self {
            world,
            boundaries: Box::new(LyingTrace::new(honest, lie, last)),
            lie,
        }
    }

    fn segment(&self, j: u64) -> Box<dyn Trace> {
        let honest = Segment {
            world: self.world,
            j,
        };
        let lie = match self.lie {
            Lie::FromStep(b) if j + 1 >= b => Lie::FromStep(1),
            Lie::FinalState(fake) if j + 1 == self.world.segments => Lie::FinalState(fake),
            _ => Lie::None,
        };
        Box::new(LyingTrace::new(honest, lie, self.world.len))
    }
}

#[derive(Debug, PartialEq)]
enum Winner {
    Submitter,
    Challenger,
}

/// Plays a two-phase game, the challenger opening; a side with no valid move loses.
fn play(sub: &Player, cha: &Player, d1: u8, d2: u8, k_log: u8) -> (Winner, u32) {
    let world = sub.world;
    let claim = sub.boundaries.state_hash_at(1 << d1).unwrap();
    let Some(hashes) = opening(&*cha.boundaries, d1, k_log, &claim).unwrap() else {
        return (Winner::Submitter, 0);
    };
    let mut last = Bisection {
        start: 0,
        len_log: d1,
        start_hash: world.boundary(0),
        hashes,
    };
    let mut segment = None;
    let mut challenger_turn = false;
    let mut moves = 1;
    loop {
        let (me, win, lose) = if challenger_turn {
            (cha, Winner::Challenger, Winner::Submitter)
        } else {
            (sub, Winner::Submitter, Winner::Challenger)
        };
        let mv = match segment {
            None => match respond_over_boundaries(&*me.boundaries, k_log, &last) {
                Ok(BoundaryMove::Bisect(mv)) => Ok(mv),
                Ok(BoundaryMove::Open { sel, segment: j }) => {
                    let packed = j.to_be_bytes().to_vec();
                    open_segment(sel, j, packed, &*me.segment(j), d2, k_log)
                }
                Err(e) => Err(e),
            },
            Some(j) => respond(&*me.segment(j), k_log, &last),
        };
        let Ok(mv) = mv else {
            return (lose, moves);
        };
        moves += 1;
        let (_, sub_log) = split(last.len_log, k_log);
        let sel = match &mv {
            Move::Bisect { sel, .. } | Move::Prove { sel, .. } | Move::OpenSegment { sel, .. } => {
                sel.clone()
            }
        };
        super::check_selection(&last, &sel);
        let i = sel.index as usize;
        match mv {
            Move::Bisect { hashes, .. } => {
                assert!(sub_log > 0, "MustOpenSegment / MustProveStep");
                assert_eq!(hashes.len(), 1 << split(sub_log, k_log).0);
                assert_ne!(hashes.last(), Some(&sel.disputed), "EndAgrees");
                last = Bisection {
                    start: last.start + ((i as u64) << sub_log),
                    len_log: sub_log,
                    start_hash: sel.agreed,
                    hashes,
                };
            }
            Move::OpenSegment {
                segment: j,
                agreed_state,
                hashes,
                ..
            } => {
                assert!(
                    segment.is_none() && sub_log == 0,
                    "NoSegmentToOpen / MustBisect"
                );
                assert_eq!(j, last.start + i as u64);
                // `_resumed`: the revealed state must hash to the agreed boundary.
                let revealed = u64::from_be_bytes(agreed_state.try_into().unwrap());
                if world.boundary(revealed) != sel.agreed {
                    return (lose, moves); // BadBoundary
                }
                assert_eq!(hashes.len(), 1 << split(d2, k_log).0);
                assert_ne!(hashes.last(), Some(&sel.disputed), "EndAgrees");
                last = Bisection {
                    start: 0,
                    len_log: d2,
                    start_hash: world.resumed(revealed),
                    hashes,
                };
                segment = Some(j);
            }
            Move::Prove { proof, .. } => {
                assert!(
                    segment.is_some() && sub_log == 0,
                    "MustOpenSegment / MustBisect"
                );
                return match world.verify_step(&sel.agreed, &proof) {
                    Some(post) if post != sel.disputed => (win, moves),
                    _ => (lose, moves), // StepAgrees or a rejected proof
                };
            }
        }
        challenger_turn = !challenger_turn;
    }
}

#[test]
fn the_honest_side_wins_every_two_phase_game() {
    let mut games = 0;
    for d1 in [1u8, 2, 4, 6] {
        for d2 in [1u8, 3, 5] {
            for k_log in [1u8, 2, 4] {
                for segments in [1u64, (1 << d1) / 2 + 1, 1 << d1] {
                    for len in [1u64, (1 << d2) / 2 + 1, 1 << d2] {
                        let world = World { segments, len };
                        let fake = tagged("fake final", 0, 0, HALTED);
                        let lies = [
                            Lie::FinalState(fake),
                            Lie::FromStep(1),
                            Lie::FromStep(segments.div_ceil(2)),
                            Lie::FromStep(segments),
                            Lie::FromStep(1 << d1),
                        ];
                        for lie in lies {
                            let honest = Player::new(world, d1, Lie::None);
                            let liar = Player::new(world, d1, lie);
                            let at = format!("{lie:?} d1={d1} d2={d2} k={k_log} {segments}x{len}");
                            let (w, _) = play(&liar, &honest, d1, d2, k_log);
                            assert_eq!(w, Winner::Challenger, "lying submitter {at}");
                            let (w, _) = play(&honest, &liar, d1, d2, k_log);
                            assert_eq!(w, Winner::Submitter, "lying challenger {at}");
                            games += 2;
                        }
                    }
                }
            }
        }
    }
    eprintln!("{games} two-phase games, each won by the honest side");
}

#[test]
fn an_honest_challenger_does_not_dispute_an_honest_two_phase_claim() {
    let world = World {
        segments: 5,
        len: 3,
    };
    let honest = Player::new(world, 3, Lie::None);
    let claim = honest.boundaries.state_hash_at(8).unwrap();
    assert_eq!(claim, world.boundary(5));
    assert_eq!(opening(&*honest.boundaries, 3, 2, &claim).unwrap(), None);
}

#[test]
fn a_two_phase_game_takes_the_rounds_of_both_phases() {
    // 2^8 segments of 2^8 steps, k = 16: two phase-1 moves (the opening and one bisection),
    // the transition, one more phase-2 bisection, then the step proof.
    let world = World {
        segments: 200,
        len: 100,
    };
    let honest = Player::new(world, 8, Lie::None);
    let liar = Player::new(world, 8, Lie::FromStep(77));
    let (w, moves) = play(&liar, &honest, 8, 8, 4);
    assert_eq!(w, Winner::Challenger);
    assert_eq!(moves, 2 + 1 + 1 + 1);
}
