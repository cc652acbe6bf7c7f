//! The registration the demo picks for a program. A program without segments gets a trace
//! depth covering twice its run (a single-phase game). A segmented program gets a segment depth
//! covering twice its longest segment and the fast path's bound on every segment's VM steps
//! (so that the fast path vouches for every boundary and no role replays whole segments in the
//! VM to post or check a result: `docs/machine.md` §9, "Fuel and the segment bound"), and
//! enough segments for its run (a two-phase game, `docs/protocol.md` §5.3), the segment depth
//! raised until the honest challenger, not the liar, is the side that proves the last step.

use std::sync::Arc;
use std::time::{Duration, Instant};

use opml_executor::fast::FastEngine;
use opml_executor::{Boundaries, FastProgram, RunStatus, fuel_for_steps};
use opml_service::programs::StoredProgram;
use opml_vm::{Machine, Status};

use crate::contracts::depth_for;
use crate::{Error, Result};

/// The deepest trace an oracle can be deployed for (`OpMLOracle`'s constructor refuses a
/// `maxTraceDepth` above it).
const MAX_TRACE_DEPTH: u8 = 63;

/// What the demo registers, and the run it measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Depths {
    /// VM steps of the whole run (`T`).
    pub steps: u64,
    /// Segments the run took (1 without segments).
    pub segments: u64,
    /// The trace depth `D`.
    pub depth: u8,
    /// The segment depth `D2` of a two-phase registration (`None`: single-phase).
    pub segment_depth: Option<u8>,
    /// VM steps of the longest segment.
    pub longest: u64,
    /// The fast path's upper bound on any segment's VM steps
    /// (`opml_executor::FastRun::max_segment_steps`); 0 without segments.
    pub fast_bound: u64,
    /// Seconds the demo's own VM run of the whole trace took (a plain run: no checkpoints,
    /// no hashing; no role makes it in a two-phase game).
    pub vm_secs: f64,
    /// A segmented program's fast-path run hashing every boundary.
    pub fast: Option<FastBoundaries>,
}

/// The fast path's run of a segmented program with every boundary hashed, as the roles make
/// it for a two-phase game (compilation excluded).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FastBoundaries {
    /// Boundary hashes (`S_0` included).
    pub boundaries: usize,
    /// The whole run's wall time.
    pub run: Duration,
    /// Of which reading wasmtime's state and hashing it.
    pub hashing: Duration,
}

impl Depths {
    /// Whether a deployment with these bounds accepts the registration.
    pub fn fits(&self, max_depth: u8, max_segment_depth: u8) -> bool {
        self.depth <= max_depth && self.segment_depth.unwrap_or(self.depth) <= max_segment_depth
    }
}

/// The depths for `prog` on `input`: `depth` (0 picks the least covering twice the run) for a
/// program without segments; for a segmented one, the least that cover its run as the module
/// docs say, with `k = 2^k_log` ([`Depths::fits`] tells whether a deployment accepts them).
pub fn pick(prog: &StoredProgram, input: &[u8], depth: u8, k_log: u8) -> Result<Depths> {
    let t = Instant::now();
    let (steps, segments, longest) = measure(prog, input)?;
    let vm_secs = t.elapsed().as_secs_f64();
    if prog.program.segment_pc().is_none() {
        let least = depth_for(steps.saturating_mul(2));
        let depth = if depth == 0 { least } else { depth };
        if steps > 1u64.checked_shl(depth.into()).unwrap_or(u64::MAX) {
            return Err(Error::Config(format!(
                "--depth {depth} is too small: the run takes {steps} steps"
            )));
        }
        return Ok(Depths {
            steps,
            segments,
            depth,
            segment_depth: None,
            longest,
            fast_bound: 0,
            vm_secs,
            fast: None,
        });
    }
    let d1 = depth_for(segments);
    // The fast path vouches for a segment whose bound stays below `2^D2`.
    let (fast_bound, fast) = fast_boundaries(prog, input)?;
    let mut d2 = depth_for(longest.saturating_mul(2)).max(depth_for(fast_bound.saturating_add(1)));
    // Moves alternate, the challenger's opening first: it proves the step when the bisection
    // moves of both phases (the transition included) are even in number.
    let rounds = |d: u8| u32::from(d).div_ceil(u32::from(k_log.max(1)));
    while (rounds(d1) + rounds(d2)) % 2 != 0 {
        d2 += 1;
    }
    if d1 + d2 > MAX_TRACE_DEPTH {
        return Err(Error::Config(format!(
            "{segments} segments of up to {longest} steps (the fast path's bound {fast_bound}) need D = {} with D2 = {d2}, above any deployment's {MAX_TRACE_DEPTH}",
            d1 + d2
        )));
    }
    Ok(Depths {
        steps,
        segments,
        depth: d1 + d2,
        segment_depth: Some(d2),
        longest,
        fast_bound,
        vm_secs,
        fast: Some(fast),
    })
}

/// The fast path's upper bound on the VM steps of any segment of `prog` on `input`, from its
/// run with every boundary hashed (timed).
fn fast_boundaries(prog: &StoredProgram, input: &[u8]) -> Result<(u64, FastBoundaries)> {
    let fp = FastProgram::with_program(&FastEngine::new()?, &prog.wasm, Arc::clone(&prog.program))?;
    let t = Instant::now();
    let run = fp.run(input, fuel_for_steps(1 << 40), Boundaries::Every)?;
    let elapsed = t.elapsed();
    if run.submission.status != RunStatus::Halted {
        return Err(Error::Demo(format!(
            "the program does not halt on the fast path: {}",
            run.submission.status
        )));
    }
    let timed = FastBoundaries {
        boundaries: run.boundaries.len(),
        run: elapsed,
        hashing: run.hashing,
    };
    Ok((run.max_segment_steps, timed))
}

/// `(steps, segments, longest segment)` of a VM run of `prog` on `input`, segment by segment.
fn measure(prog: &StoredProgram, input: &[u8]) -> Result<(u64, u64, u64)> {
    let mut m = Machine::new(&prog.program, input);
    let (mut steps, mut segments, mut longest) = (0u64, 0u64, 0u64);
    loop {
        m.resume();
        let n = m.run(1 << 40);
        steps += n;
        segments += 1;
        longest = longest.max(n);
        match m.status() {
            Status::Yielded => {}
            Status::Halted => return Ok((steps, segments, longest)),
            s => {
                return Err(Error::Demo(format!(
                    "the program does not halt: {} after {steps} steps",
                    s.name()
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_segmented_example_gets_two_phases_and_the_challenger_proves() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let wasm = std::fs::read(root.join("guests/wasm/segments.wasm")).unwrap();
        let prog = StoredProgram::from_wasm("segments", wasm).unwrap();
        let d = pick(&prog, &[], 24, 4).unwrap();
        assert!(d.fits(36, 33));
        assert_eq!(d.segments, 1024);
        assert!(d.fast_bound >= d.longest && d.fast_bound < 1 << (d.depth - 10));
        assert_eq!(d.fast.map(|f| f.boundaries), Some(1025));
        let d2 = d.segment_depth.expect("two phases");
        assert_eq!(d.depth - d2, 10, "2^10 segments");
        assert_eq!((10u32.div_ceil(4) + u32::from(d2).div_ceil(4)) % 2, 0);
        // Digits has no segments: single-phase, the depth asked for.
        let wasm = std::fs::read(root.join("guests/wasm/digits.wasm")).unwrap();
        let prog = StoredProgram::from_wasm("digits", wasm).unwrap();
        let input = std::fs::read(root.join("guests/digits/testdata/sample.bin")).unwrap();
        let d = pick(&prog, &input, 24, 4).unwrap();
        assert_eq!((d.segments, d.depth, d.segment_depth), (1, 24, None));
        assert_eq!(d.fast, None);
    }
}
