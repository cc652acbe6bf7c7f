//! The bridge to the VM's one-step prover (`Machine::prove_step`, `docs/proof.md`).

use opml_vm::Machine;

use crate::Result;

/// The one-step proof of the machine's next step (the machine then takes it).
pub(crate) fn prove_step(m: &mut Machine) -> Result<Vec<u8>> {
    Ok(m.prove_step())
}
