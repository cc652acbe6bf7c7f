//! The registration the demo picks for a program. A program without segments gets a trace
//! depth covering twice its run (a single-phase game). A segmented program gets a segment depth
//! covering twice its longest segment and enough segments for its run (a two-phase game,
//! `docs/protocol.md` §5.3), the segment depth raised until the honest challenger, not the
//! liar, is the side that proves the last step.

use opml_service::programs::StoredProgram;
use opml_vm::{Machine, Status};

use crate::contracts::depth_for;
use crate::{Error, Result};

/// What the demo registers, and the run it measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Depths {
    /// VM steps of the whole run (`T`).
    pub steps: u64,
    /// Segments the run took (1 without segments).
    pub segments: u64,
    /// The trace depth `D`.
    pub depth: u8,
    /// The segment depth `D2` of a two-phase registration (`None`: single-phase).
    pub segment_depth: Option<u8>,
}

/// The depths for `prog` on `input`: `depth` (0 picks the least covering twice the run) for a
/// program without segments; for a segmented one, within the devnet's `max_depth` and
/// `max_segment_depth`, with `k = 2^k_log`.
pub fn pick(
    prog: &StoredProgram,
    input: &[u8],
    depth: u8,
    k_log: u8,
    max_depth: u8,
    max_segment_depth: u8,
) -> Result<Depths> {
    let (steps, segments, longest) = measure(prog, input)?;
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
        });
    }
    let d1 = depth_for(segments);
    let mut d2 = depth_for(longest.saturating_mul(2));
    // Moves alternate, the challenger's opening first: it proves the step when the bisection
    // moves of both phases (the transition included) are even in number.
    let rounds = |d: u8| u32::from(d).div_ceil(u32::from(k_log.max(1)));
    while (rounds(d1) + rounds(d2)) % 2 != 0 {
        d2 += 1;
    }
    if d2 > max_segment_depth || d1 + d2 > max_depth {
        return Err(Error::Config(format!(
            "{segments} segments of up to {longest} steps need D = {} with D2 = {d2}, above the devnet's {max_depth} / {max_segment_depth}",
            d1 + d2
        )));
    }
    Ok(Depths {
        steps,
        segments,
        depth: d1 + d2,
        segment_depth: Some(d2),
    })
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
        let d = pick(&prog, &[], 24, 4, 36, 33).unwrap();
        assert_eq!(d.segments, 1024);
        let d2 = d.segment_depth.expect("two phases");
        assert_eq!(d.depth - d2, 10, "2^10 segments");
        assert_eq!((10u32.div_ceil(4) + u32::from(d2).div_ceil(4)) % 2, 0);
        // Digits has no segments: single-phase, the depth asked for.
        let wasm = std::fs::read(root.join("guests/wasm/digits.wasm")).unwrap();
        let prog = StoredProgram::from_wasm("digits", wasm).unwrap();
        let input = std::fs::read(root.join("guests/digits/testdata/sample.bin")).unwrap();
        let d = pick(&prog, &input, 24, 4, 36, 33).unwrap();
        assert_eq!((d.segments, d.depth, d.segment_depth), (1, 24, None));
    }
}
