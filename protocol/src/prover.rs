//! The bridge to the VM's one-step prover (`Machine::prove_step`, `docs/proof.md`).

use opml_vm::Machine;

use crate::{Error, Result};

/// The one-step proof of the machine's next step.
pub(crate) fn prove_step(m: &mut Machine) -> Result<Vec<u8>> {
    // `Machine::prove_step` is not in `opml-vm` yet (engineers A/B); until it lands a running
    // step cannot be proved and a game that reaches one is lost by the clock.
    let _ = m;
    Err(Error::NoProver)
}
