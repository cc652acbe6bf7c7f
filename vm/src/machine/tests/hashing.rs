//! State hashing: determinism, laziness equals recomputation, checkpoints.

use proptest::prelude::*;

use super::workload::workload;
use crate::machine::Checkpoints;
use crate::{Machine, Status};

/// The state hash of a fresh machine run to `n` in one go.
fn straight(input: &[u8], n: u64) -> [u8; 32] {
    let mut m = Machine::new(&workload(), input);
    m.run(n);
    m.state_hash()
}

#[test]
fn workload_halts_with_output() {
    let input = [1u8, 2, 3, 4, 5];
    let mut m = Machine::new(&workload(), &input);
    m.run(1_000_000);
    assert_eq!(m.status(), Status::Halted, "{:?}", m.trap_code());
    assert_eq!(m.output().len(), 8 * 9 + 20);
    assert_eq!(m.state_hash()[0], 1);
}

#[test]
fn every_step_hash_matches_a_fresh_recomputation() {
    let input = [3u8; 4];
    let mut m = Machine::new(&workload(), &input);
    while m.status() == Status::Running {
        let lazy = m.state_hash();
        let mut fresh = m.clone();
        fresh.hc = Default::default();
        fresh.mem = crate::machine::memory::Memory::new(m.memory().to_vec());
        assert_eq!(fresh.state_hash(), lazy, "step {}", m.steps());
        m.step();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn hashes_are_deterministic(input in proptest::collection::vec(any::<u8>(), 0..20), n in 0u64..3000) {
        prop_assert_eq!(straight(&input, n), straight(&input, n));
        // hashing along the way does not change the result
        let mut m = Machine::new(&workload(), &input);
        let mut left = n;
        while left > 0 {
            let k = left.min(37);
            m.run(k);
            m.state_hash();
            left -= k;
        }
        prop_assert_eq!(m.state_hash(), straight(&input, n));
    }

    #[test]
    fn checkpoints_equal_a_straight_run(
        input in proptest::collection::vec(any::<u8>(), 0..12),
        interval in 1u64..300,
        ns in proptest::collection::vec(0u64..4000, 1..6),
    ) {
        let cp = Checkpoints::record(&workload(), &input, interval, 1_000_000);
        prop_assert_eq!(cp.final_status(), Status::Halted);
        for n in ns {
            prop_assert_eq!(cp.state_hash_at(n), straight(&input, n), "n = {}", n);
            prop_assert_eq!(cp.machine_at(n).steps(), n);
        }
    }
}
