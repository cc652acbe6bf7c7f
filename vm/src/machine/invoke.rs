//! `invoke_export` (§8): a host action for test harnesses, not a provable step.

use super::{Machine, MachineError};
use crate::{Status, Value};

impl Machine {
    /// Calls export `name` with `args` on this instance: clears the stacks and frames left by a
    /// previous invocation (memory, globals and table persist), pushes the arguments and the
    /// frame `(halt_pc, locals)`, and starts the export. Run the machine to get its results.
    pub fn invoke_export(&mut self, name: &str, args: &[Value]) -> Result<(), MachineError> {
        let prog = std::sync::Arc::clone(&self.prog);
        let f = prog
            .export(name)
            .ok_or_else(|| MachineError::UnknownExport(name.to_owned()))?;
        let got: Vec<_> = args.iter().map(|a| a.ty()).collect();
        if got != f.params {
            return Err(MachineError::ArgumentMismatch {
                name: name.to_owned(),
                expected: f.params.clone(),
                got,
            });
        }
        self.hc.state = None;
        self.status = Status::Running;
        self.trap_code = 0;
        self.stack.clear();
        self.aux.clear();
        self.frames.clear();
        self.locals.clear();
        self.locals_base = 0;
        self.n_locals = 0;
        self.bulk_dst = 0;
        self.bulk_src = 0;
        self.bulk_len = 0;
        self.segment_steps = 0;
        self.stack.extend(args.iter().map(|a| a.to_bits()));
        self.result_types = f.results.clone();
        self.pc = prog.halt_pc;
        if prog.limits.max_call_depth == 0 {
            self.trap(crate::TrapCode::CallStackExhausted);
            return Ok(());
        }
        self.enter(prog.halt_pc, f.n_locals);
        self.pc = f.pc;
        Ok(())
    }
}
