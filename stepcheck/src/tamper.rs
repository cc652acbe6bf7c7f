//! Tampering: a proof altered anywhere must revert or give another post-state; never the honest
//! post-state for a pre-state it was not made for.

use crate::Result;
use crate::evm::{StepCall, StepEvm};

/// What flipping every byte of one proof did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TamperCount {
    /// Alterations tried.
    pub tried: u64,
    /// Ones that reverted.
    pub reverted: u64,
    /// Ones that returned some other post-state.
    pub other_post: u64,
    /// Ones that returned the honest post-state (must be zero), by byte offset.
    pub accepted: Vec<usize>,
}

/// Flips each byte of `proof` (xor `0x01`, and xor `0xff`), and each of the first and last bytes
/// of `pre`, replaying each alteration against the verifier.
pub fn tamper_step(
    evm: &mut StepEvm,
    pre: &[u8; 32],
    proof: &[u8],
    post: &[u8; 32],
) -> Result<TamperCount> {
    let mut c = TamperCount::default();
    let tally = |c: &mut TamperCount, at: usize, call: StepCall| {
        c.tried += 1;
        match call.post() {
            None => c.reverted += 1,
            Some(p) if &p == post => c.accepted.push(at),
            Some(_) => c.other_post += 1,
        }
    };
    let mut p = proof.to_vec();
    for i in 0..p.len() {
        for mask in [0x01u8, 0xff] {
            p[i] ^= mask;
            let call = evm.step(pre, &p)?;
            tally(&mut c, i, call);
            p[i] ^= mask;
        }
    }
    for i in [0usize, 1, 31] {
        let mut bad = *pre;
        bad[i] ^= 0x01;
        let call = evm.step(&bad, proof)?;
        tally(&mut c, usize::MAX - i, call);
    }
    // A truncated and an extended proof.
    if !proof.is_empty() {
        let call = evm.step(pre, &proof[..proof.len() - 1])?;
        tally(&mut c, proof.len() - 1, call);
    }
    let mut longer = proof.to_vec();
    longer.push(0);
    let call = evm.step(pre, &longer)?;
    tally(&mut c, proof.len(), call);
    Ok(c)
}
