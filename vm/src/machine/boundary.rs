//! A machine standing at a canonical boundary, built from the boundary's parts
//! (`docs/machine.md` §9) rather than by stepping to it: phase 2 of a dispute replays segment
//! `j` from `resume(B_j)`, and nobody may replay segments `0..j` in the VM to get there.

use std::sync::Arc;

use super::error::MachineError;
use super::memory::{Memory, PAGE_BYTES, nonzero_leaves};
use super::{Machine, Standing};
use crate::{Program, Status};

/// What a canonical yielded or halted boundary holds beyond the program and the input: what the
/// fast path reads from its own instance at a boundary.
#[derive(Debug, Clone, Copy)]
pub struct BoundaryParts<'a> {
    /// [`Status::Yielded`] (between two `segment` calls) or [`Status::Halted`] (the entry
    /// returned).
    pub status: Status,
    /// The linear memory, a whole number of 64 KiB pages (empty without a memory).
    pub memory: &'a [u8],
    /// The mutable globals' values in lowered order (an `i32` or `f32` zero-extended, an `f64`
    /// as its bits), as [`Machine::globals`] gives them.
    pub globals: &'a [u64],
    /// The data segments dropped by `data.drop`, by index, in any order (active segments are
    /// dropped at instantiation whatever this says).
    pub dropped: &'a [u32],
    /// Every byte written through `opml.output_write` so far.
    pub output: &'a [u8],
}

impl Machine {
    /// The machine of `program` on `input` standing at the canonical boundary `parts`
    /// (`docs/machine.md` §9): status yielded at the program's segment `pc` or halted at its
    /// `Halt`, no frame, empty stacks, `EMPTY_LOCALS`, bulk registers and `segment_steps` zero.
    ///
    /// Its [`Machine::state_hash`] is `program.boundary_fields(..).hash()` of the same parts,
    /// and from there it steps exactly as a machine that reached that boundary by stepping
    /// ([`Machine::resume`], then [`Machine::step`] / [`Machine::run`] / proofs). What is not
    /// part of the state starts afresh: [`Machine::steps`] counts from 0 here (it counts steps
    /// since the start on a machine that stepped there), and the hash caches are empty (the
    /// first [`Machine::state_hash`] builds the memory tree).
    ///
    /// Refused (the parts cannot be a canonical boundary of this program): a status other than
    /// yielded or halted; yielded in a program without `segment`; halted in a program whose
    /// entry returns values (they would be on the stack); a number of globals other than the
    /// program's mutable globals; memory not a whole number of pages, smaller than the initial
    /// memory or above its maximum; a dropped index past the data segments. The input is cut
    /// at `u32::MAX` bytes, as [`Machine::new`] does.
    pub fn at_boundary(
        program: &Arc<Program>,
        input: &[u8],
        parts: &BoundaryParts<'_>,
    ) -> Result<Machine, MachineError> {
        let p = program;
        let refuse = |why: String| Err(MachineError::NotABoundary(why));
        let pc = match parts.status {
            Status::Yielded => match p.segment_pc {
                Some(pc) => pc,
                None => return refuse("yielded, in a program without `segment`".into()),
            },
            Status::Halted if !p.results.is_empty() => {
                return refuse("halted, in a program whose entry returns values".into());
            }
            Status::Halted => p.halt_pc,
            s => return refuse(format!("status {}", s.name())),
        };
        if parts.globals.len() != p.globals.len() {
            return refuse(format!(
                "{} globals, the program has {} mutable ones",
                parts.globals.len(),
                p.globals.len()
            ));
        }
        let len = parts.memory.len();
        let pages = len / PAGE_BYTES;
        if !len.is_multiple_of(PAGE_BYTES)
            || pages < p.memory_pages as usize
            || pages > p.max_pages as usize
        {
            return refuse(format!(
                "{len} bytes of memory: not whole pages between {} and {}",
                p.memory_pages, p.max_pages
            ));
        }
        let mut seg_len: Vec<u64> = p.segments.iter().map(|s| s.len() as u64).collect();
        for &d in parts.dropped {
            match seg_len.get_mut(d as usize) {
                Some(l) => *l = 0,
                None => {
                    return refuse(format!(
                        "data segment {d} dropped, the program has {}",
                        seg_len.len()
                    ));
                }
            }
        }
        Ok(Machine::standing(
            p,
            input,
            Standing {
                status: parts.status,
                pc,
                globals: parts.globals.to_vec(),
                mem: Memory::with_leaves(parts.memory, len, &nonzero_leaves(parts.memory)),
                pages: pages as u32,
                seg_len,
                output: parts.output.to_vec(),
            },
        ))
    }

    /// The data segments dropped so far (by `data.drop`, or active ones at instantiation), by
    /// index: with [`Machine::memory`], [`Machine::globals`] and [`Machine::output`], the parts
    /// of a boundary ([`BoundaryParts`]).
    pub fn dropped_segments(&self) -> Vec<u32> {
        self.seg_len
            .iter()
            .enumerate()
            .filter(|&(_, &l)| l == 0)
            .map(|(i, _)| i as u32)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commit::{Boundary, MemoryTree, globals_root, input_commitment, output_commitment};
    use crate::{Limits, TrapCode};

    /// Three segments writing memory, a global, output; a passive segment dropped in the
    /// second; memory grown in the third.
    const SEGMENTED: &str = r#"(module
      (import "opml" "output_write" (func $out (param i32 i32)))
      (memory 1 4) (global $n (mut i32) (i32.const 0)) (global $f (mut f64) (f64.const -0))
      (data $p "passive bytes") (data (i32.const 8) "active")
      (func (export "segment") (result i32)
        (global.set $n (i32.add (global.get $n) (i32.const 1)))
        (i32.store (i32.mul (global.get $n) (i32.const 100)) (global.get $n))
        (global.set $f (f64.add (global.get $f) (f64.const 1.5)))
        (call $out (i32.const 8) (global.get $n))
        (if (i32.eq (global.get $n) (i32.const 2)) (then
          (memory.init $p (i32.const 500) (i32.const 0) (i32.const 13)) (data.drop $p)))
        (if (i32.eq (global.get $n) (i32.const 3)) (then (drop (memory.grow (i32.const 1)))))
        (i32.lt_u (global.get $n) (i32.const 3))))"#;

    fn program(src: &str, depth: u8) -> Arc<Program> {
        let wasm = wat::parse_str(src).unwrap();
        let limits = Limits {
            segment_depth: depth,
            ..Limits::default()
        };
        Arc::new(Program::load(&wasm, limits).unwrap())
    }

    fn parts_of(m: &Machine) -> (Vec<u8>, Vec<u64>, Vec<u32>, Vec<u8>) {
        let mem = m.memory()[..m.pages as usize * PAGE_BYTES].to_vec();
        (
            mem,
            m.globals().to_vec(),
            m.dropped_segments(),
            m.output().to_vec(),
        )
    }

    fn built(p: &Arc<Program>, input: &[u8], m: &Machine) -> Machine {
        let (mem, globals, dropped, output) = parts_of(m);
        let parts = BoundaryParts {
            status: m.status(),
            memory: &mem,
            globals: &globals,
            dropped: &dropped,
            output: &output,
        };
        Machine::at_boundary(p, input, &parts).expect("a canonical boundary")
    }

    /// At every boundary the built machine has the stepped one's hash and fields, equal to
    /// `boundary_fields`; resumed, both step alike to the next boundary, step by step.
    #[test]
    fn a_built_boundary_steps_as_the_stepped_one() {
        let p = program(SEGMENTED, 10);
        let input = b"in";
        let mut m = Machine::new(&p, input);
        let mut seen = 0;
        loop {
            m.run(1 << 20);
            let mut b = built(&p, input, &m);
            assert_eq!(b.state_fields(), m.state_fields(), "boundary {seen}");
            let (mem, globals, dropped, output) = parts_of(&m);
            let mut tree = MemoryTree::default();
            let (input_root, input_len) = input_commitment(input);
            let (output_chain, output_pending, output_len) = output_commitment(&output);
            let fields = p.boundary_fields(&Boundary {
                status: m.status(),
                memory_root: tree.update(&mem),
                memory_pages: (mem.len() / PAGE_BYTES) as u32,
                globals_root: globals_root(&globals),
                segments_root: p.segments_root(|i| dropped.contains(&(i as u32))),
                input_root,
                input_len,
                output_chain,
                output_pending,
                output_len,
            });
            assert_eq!(fields.map(|f| f.hash()), Some(b.state_hash()));
            seen += 1;
            if m.status() == Status::Halted {
                break;
            }
            assert_eq!(m.status(), Status::Yielded);
            assert!(m.resume() && b.resume());
            while m.status() == Status::Running {
                m.step();
                b.step();
                assert_eq!(b.state_hash(), m.state_hash());
            }
            assert_eq!(b.status(), m.status());
        }
        assert_eq!(seen, 3, "two yields and the halt");
        // A halted boundary steps to itself.
        let mut b = built(&p, input, &m);
        let h = b.state_hash();
        b.step();
        assert_eq!((b.state_hash(), b.steps()), (h, 1));
    }

    /// The segment counter of a built machine starts at zero, as after a yield: a segment that
    /// is too long traps at the same step.
    #[test]
    fn the_segment_counter_restarts_at_the_boundary() {
        let src = r#"(module (global $n (mut i32) (i32.const 0))
          (func (export "segment") (result i32) (local $i i32)
            (global.set $n (i32.add (global.get $n) (i32.const 1)))
            (if (i32.eq (global.get $n) (i32.const 2)) (then
              (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))))
            (i32.lt_u (global.get $n) (i32.const 3))))"#;
        let p = program(src, 6);
        let mut m = Machine::new(&p, b"");
        m.run(1000);
        assert_eq!(m.status(), Status::Yielded);
        let mut b = built(&p, b"", &m);
        m.resume();
        b.resume();
        m.run(1 << 6);
        b.run(1 << 6);
        assert_eq!(m.trap_code(), Some(TrapCode::SegmentTooLong));
        assert_eq!(b.state_hash(), m.state_hash());
    }

    #[test]
    fn what_is_not_a_boundary_is_refused() {
        let p = program(SEGMENTED, 10);
        let mem = vec![0u8; PAGE_BYTES];
        let ok = BoundaryParts {
            status: Status::Yielded,
            memory: &mem,
            globals: &[0, 0],
            dropped: &[],
            output: &[],
        };
        assert!(Machine::at_boundary(&p, b"", &ok).is_ok());
        let bad = [
            BoundaryParts {
                status: Status::Running,
                ..ok
            },
            BoundaryParts {
                status: Status::Trapped,
                ..ok
            },
            BoundaryParts {
                globals: &[0],
                ..ok
            },
            BoundaryParts {
                memory: &mem[1..],
                ..ok
            },
            BoundaryParts { memory: &[], ..ok },
            BoundaryParts {
                dropped: &[2],
                ..ok
            },
        ];
        for parts in &bad {
            assert!(
                matches!(
                    Machine::at_boundary(&p, b"", parts),
                    Err(MachineError::NotABoundary(_))
                ),
                "{parts:?}"
            );
        }
        let main = program(r#"(module (func (export "main")))"#, 10);
        let yielded = BoundaryParts {
            memory: &[],
            globals: &[],
            ..ok
        };
        assert!(Machine::at_boundary(&main, b"", &yielded).is_err());
        let halted = BoundaryParts {
            status: Status::Halted,
            ..yielded
        };
        let mut m = Machine::new(&main, b"");
        m.run(100);
        assert_eq!(
            Machine::at_boundary(&main, b"", &halted)
                .unwrap()
                .state_hash(),
            m.state_hash()
        );
    }
}
