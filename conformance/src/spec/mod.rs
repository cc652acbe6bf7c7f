//! The spec-suite runner: one `.wast` file at a time, on one engine.
//!
//! Every directive counts as passed, failed or skipped. Skipped means outside the profile
//! (decided by [`crate::profile::classify`], the same for both engines) or a directive the
//! harness does not model (threads, exceptions, reading globals on the VM).

mod values;

use crate::engine::{Call, Instance, Runner};
use crate::profile::{Class, classify};
use opml_executor::{Engine, RunStatus, TrapCode, Value};
use std::collections::{BTreeMap, HashMap};
use values::{arg, matches, trap_message_matches};
use wast::core::WastRetCore;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

/// Counts for one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileReport {
    /// The file's name.
    pub file: String,
    /// Directives that behaved as the spec says.
    pub passed: usize,
    /// Directives that did not.
    pub failed: usize,
    /// Directives outside the profile or not modelled.
    pub skipped: usize,
    /// One line per failure: `line:col: what`.
    pub failures: Vec<String>,
    /// Skip reasons with their counts.
    pub skip_reasons: BTreeMap<String, usize>,
}

impl FileReport {
    fn pass(&mut self) {
        self.passed += 1;
    }

    fn fail(&mut self, at: (usize, usize), what: impl std::fmt::Display) {
        self.failed += 1;
        self.failures
            .push(format!("{}:{}:{}: {what}", self.file, at.0 + 1, at.1 + 1));
    }

    fn skip(&mut self, reason: impl Into<String>) {
        self.skipped += 1;
        *self.skip_reasons.entry(reason.into()).or_default() += 1;
    }
}

/// A module slot: a live instance, or why there is none.
enum Slot {
    Live(Box<Instance>),
    Skipped(String),
    Broken,
}

struct State<'r> {
    runner: &'r Runner,
    report: FileReport,
    text: &'r str,
    slots: Vec<Slot>,
    named: HashMap<String, usize>,
    current: Option<usize>,
    definitions: HashMap<String, Vec<u8>>,
}

/// Runs the `.wast` source `text` (named `file` in the report) on `runner`'s engine.
pub fn run_wast(file: &str, text: &str, runner: &Runner) -> FileReport {
    let mut st = State {
        runner,
        report: FileReport {
            file: file.to_string(),
            ..FileReport::default()
        },
        text,
        slots: Vec::new(),
        named: HashMap::new(),
        current: None,
        definitions: HashMap::new(),
    };
    // The suite's `names.wast` has bidi controls in strings on purpose.
    let mut lexer = wast::lexer::Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(b) => b,
        Err(e) => {
            st.report.fail((0, 0), format!("lexing: {e}"));
            return st.report;
        }
    };
    match parser::parse::<Wast<'_>>(&buf) {
        Ok(wast) => {
            for d in wast.directives {
                st.directive(d);
            }
        }
        Err(e) => st.report.fail((0, 0), format!("parsing: {}", e.message())),
    }
    st.report
}

/// Runs the file at `path`.
pub fn run_file(path: &std::path::Path, runner: &Runner) -> FileReport {
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    match std::fs::read_to_string(path) {
        Ok(text) => run_wast(&file, &text, runner),
        Err(e) => {
            let mut r = FileReport {
                file,
                ..FileReport::default()
            };
            r.fail((0, 0), format!("reading: {e}"));
            r
        }
    }
}

fn module_id(q: &QuoteWat<'_>) -> Option<String> {
    match q {
        QuoteWat::Wat(Wat::Module(m)) => m.id.map(|i| i.name().to_string()),
        _ => None,
    }
}

fn trap_name(status: RunStatus) -> String {
    match status {
        RunStatus::Trapped(c) => format!("trap `{}`", c.spec_message()),
        other => other.name().to_string(),
    }
}

impl State<'_> {
    fn at(&self, span: wast::token::Span) -> (usize, usize) {
        span.linecol_in(self.text)
    }

    fn directive(&mut self, d: WastDirective<'_>) {
        let at = self.at(d.span());
        match d {
            WastDirective::Module(mut q) => {
                let id = module_id(&q);
                match q.encode() {
                    Ok(wasm) => self.instantiate_module(at, id, &wasm),
                    Err(e) => self
                        .report
                        .fail(at, format!("encoding module: {}", e.message())),
                }
            }
            WastDirective::ModuleDefinition(mut q) => {
                if let (Some(id), Ok(wasm)) = (module_id(&q), q.encode()) {
                    self.definitions.insert(id, wasm);
                }
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let def = module.and_then(|m| self.definitions.get(m.name()).cloned());
                match def {
                    Some(wasm) => {
                        self.instantiate_module(at, instance.map(|i| i.name().to_string()), &wasm)
                    }
                    None => self.report.skip("module instance of an unknown definition"),
                }
            }
            WastDirective::Register { .. } => {}
            WastDirective::Invoke(inv) => {
                if let Some(call) = self.invoke(at, &inv) {
                    match call.status {
                        RunStatus::Halted => self.report.pass(),
                        s => self
                            .report
                            .fail(at, format!("invoke `{}`: {}", inv.name, trap_name(s))),
                    }
                }
            }
            WastDirective::AssertReturn { exec, results, .. } => {
                self.assert_return(at, exec, &results)
            }
            WastDirective::AssertTrap { exec, message, .. } => self.assert_trap(at, exec, message),
            WastDirective::AssertExhaustion { call, message, .. } => {
                if let Some(c) = self.invoke(at, &call) {
                    self.expect_trap(at, c.status, message);
                }
            }
            WastDirective::AssertInvalid { module, .. }
            | WastDirective::AssertMalformed { module, .. } => self.assert_rejected(at, module),
            WastDirective::AssertUnlinkable { mut module, .. } => match module.encode() {
                Ok(wasm) => self.assert_unlinkable(at, &wasm),
                Err(e) => self
                    .report
                    .fail(at, format!("encoding module: {}", e.message())),
            },
            _ => self
                .report
                .skip("directive not modelled (threads, exceptions, custom sections)"),
        }
    }

    fn instantiate_module(&mut self, at: (usize, usize), id: Option<String>, wasm: &[u8]) {
        let slot = match classify(wasm, self.runner.limits) {
            Class::OutOfProfile {
                reason,
                imports_from,
            } => {
                if imports_from.is_some_and(|m| m != "spectest") {
                    // It links to live instances and may change their state (a shared table
                    // or memory): what they do from now on is no longer the spec's.
                    let taint = "shares state with an out-of-profile module".to_string();
                    for s in &mut self.slots {
                        if matches!(s, Slot::Live(_)) {
                            *s = Slot::Skipped(taint.clone());
                        }
                    }
                }
                self.report.skip(format!("module out of profile: {reason}"));
                Slot::Skipped(reason)
            }
            Class::Invalid(e) => {
                self.report.fail(at, format!("module is invalid wasm: {e}"));
                Slot::Broken
            }
            Class::Rejected(e) => {
                self.report
                    .fail(at, format!("in-profile module rejected: {e}"));
                Slot::Broken
            }
            Class::InProfile => match self.runner.instantiate(wasm, &[]) {
                Ok(Ok(i)) => {
                    self.report.pass();
                    Slot::Live(Box::new(i))
                }
                Ok(Err(s)) => {
                    self.report
                        .fail(at, format!("instantiation: {}", trap_name(s)));
                    Slot::Broken
                }
                Err(e) => {
                    self.report
                        .fail(at, format!("in-profile module rejected: {e}"));
                    Slot::Broken
                }
            },
        };
        self.slots.push(slot);
        let index = self.slots.len() - 1;
        self.current = Some(index);
        if let Some(id) = id {
            self.named.insert(id, index);
        }
    }

    /// A module that imports from another spec module links to live instances and may change
    /// their state (a shared table or memory, even when its instantiation fails): what those
    /// instances do from then on is no longer what the spec expects, so they are skipped.
    fn taint_if_linked(&mut self, imports_from: Option<&str>) {
        if imports_from.is_some_and(|m| m != "spectest") {
            let taint = "shares state with an out-of-profile module".to_string();
            for s in &mut self.slots {
                if matches!(s, Slot::Live(_)) {
                    *s = Slot::Skipped(taint.clone());
                }
            }
        }
    }

    /// The instance a directive names (or the current one); records a skip or failure and
    /// returns `None` when there is none to run.
    fn slot(
        &mut self,
        at: (usize, usize),
        module: Option<wast::token::Id<'_>>,
    ) -> Option<&mut Instance> {
        let index = match module {
            Some(id) => self.named.get(id.name()).copied(),
            None => self.current,
        };
        match index.map(|i| &mut self.slots[i]) {
            Some(Slot::Live(i)) => Some(i),
            Some(Slot::Skipped(reason)) => {
                let reason = format!("module out of profile: {reason}");
                self.report.skip(reason);
                None
            }
            Some(Slot::Broken) => {
                self.report.fail(at, "no instance (its module failed)");
                None
            }
            None => {
                self.report.fail(at, "no module to run");
                None
            }
        }
    }

    fn invoke(&mut self, at: (usize, usize), inv: &WastInvoke<'_>) -> Option<Call> {
        let Some(args) = inv.args.iter().map(arg).collect::<Option<Vec<Value>>>() else {
            self.report.skip("argument type out of profile");
            return None;
        };
        let runner = self.runner;
        let instance = self.slot(at, inv.module)?;
        match runner.invoke(instance, inv.name, &args) {
            Ok(c) => Some(c),
            Err(e) => {
                self.report.fail(at, format!("invoke `{}`: {e}", inv.name));
                None
            }
        }
    }

    fn assert_return(&mut self, at: (usize, usize), exec: WastExecute<'_>, want: &[WastRet<'_>]) {
        let got = match exec {
            WastExecute::Invoke(inv) => match self.invoke(at, &inv) {
                Some(Call {
                    status: RunStatus::Halted,
                    results,
                }) => results,
                Some(c) => {
                    return self.report.fail(
                        at,
                        format!(
                            "`{}`: expected a return, got {}",
                            inv.name,
                            trap_name(c.status)
                        ),
                    );
                }
                None => return,
            },
            WastExecute::Get { module, global, .. } => {
                if self.runner.engine() == Engine::Vm {
                    return self.report.skip("reading globals (VM harness)");
                }
                let Some(instance) = self.slot(at, module) else {
                    return;
                };
                match instance.global(global) {
                    Ok(v) => vec![v],
                    Err(e) => return self.report.fail(at, format!("get `{global}`: {e}")),
                }
            }
            WastExecute::Wat(_) => return self.report.skip("assert_return on a module"),
        };
        let wants: Option<Vec<&WastRetCore<'_>>> = want
            .iter()
            .map(|w| match w {
                WastRet::Core(c) => Some(c),
                #[allow(unreachable_patterns)]
                _ => None,
            })
            .collect();
        let Some(wants) = wants else {
            return self.report.skip("result type out of profile");
        };
        if got.len() != wants.len() {
            return self
                .report
                .fail(at, format!("expected {} results, got {got:?}", wants.len()));
        }
        for (g, w) in got.iter().zip(&wants) {
            match matches(*g, w) {
                Some(true) => {}
                Some(false) => {
                    return self
                        .report
                        .fail(at, format!("got {got:?}, expected {wants:?}"));
                }
                None => return self.report.skip("result type out of profile"),
            }
        }
        self.report.pass();
    }

    fn assert_trap(&mut self, at: (usize, usize), exec: WastExecute<'_>, message: &str) {
        match exec {
            WastExecute::Invoke(inv) => {
                if let Some(c) = self.invoke(at, &inv) {
                    self.expect_trap(at, c.status, message);
                }
            }
            WastExecute::Wat(mut wat) => {
                let wasm = match wat.encode() {
                    Ok(w) => w,
                    Err(e) => {
                        return self
                            .report
                            .fail(at, format!("encoding module: {}", e.message()));
                    }
                };
                match classify(&wasm, self.runner.limits) {
                    Class::InProfile => match self.runner.instantiate(&wasm, &[]) {
                        Ok(Err(s)) => self.expect_trap(at, s, message),
                        Ok(Ok(_)) => self
                            .report
                            .fail(at, format!("expected trap `{message}` at instantiation")),
                        Err(e) => self
                            .report
                            .fail(at, format!("in-profile module rejected: {e}")),
                    },
                    Class::OutOfProfile {
                        reason,
                        imports_from,
                    } => {
                        self.taint_if_linked(imports_from.as_deref());
                        self.report.skip(format!("module out of profile: {reason}"))
                    }
                    Class::Invalid(e) | Class::Rejected(e) => {
                        self.report.fail(at, format!("module not loadable: {e}"))
                    }
                }
            }
            WastExecute::Get { .. } => self.report.skip("assert_trap on a global"),
        }
    }

    fn expect_trap(&mut self, at: (usize, usize), status: RunStatus, message: &str) {
        match status {
            RunStatus::Trapped(code) if trap_message_matches(code.spec_message(), message) => {
                self.report.pass()
            }
            // The fast path reports stack overflow for deep recursion as this code too.
            RunStatus::Trapped(TrapCode::CallStackExhausted) if message.contains("exhausted") => {
                self.report.pass()
            }
            s => self.report.fail(
                at,
                format!("expected trap `{message}`, got {}", trap_name(s)),
            ),
        }
    }

    fn assert_unlinkable(&mut self, at: (usize, usize), wasm: &[u8]) {
        match classify(wasm, self.runner.limits) {
            Class::OutOfProfile {
                reason,
                imports_from,
            } => {
                self.taint_if_linked(imports_from.as_deref());
                self.report.skip(format!("module out of profile: {reason}"));
            }
            Class::Invalid(_) | Class::Rejected(_) => self.report.pass(),
            Class::InProfile => match self.runner.instantiate(wasm, &[]) {
                Err(_) => self.report.pass(),
                Ok(Ok(_)) => self.report.fail(at, "unlinkable module linked"),
                Ok(Err(s)) => self.report.fail(
                    at,
                    format!("unlinkable module instantiated: {}", trap_name(s)),
                ),
            },
        }
    }

    fn assert_rejected(&mut self, at: (usize, usize), mut module: QuoteWat<'_>) {
        let wasm = match module.encode() {
            Ok(w) => w,
            Err(_) => {
                return self
                    .report
                    .skip("malformed text (rejected by the text parser)");
            }
        };
        match self.runner.instantiate(&wasm, &[]) {
            Err(_) => self.report.pass(),
            Ok(_) => self
                .report
                .fail(at, "invalid or malformed module was accepted"),
        }
    }
}
