//! The checks of a packed BERT program against reference embeddings: the fast path (and the VM
//! when asked) give the same bytes as the guest's code compiled natively, the token ids equal
//! the reference tokenizer's, and each embedding's cosine with the reference's is at least
//! [`MIN_COSINE`].

use crate::{Error, Result};
use opml_executor::{Engine, Entry, RunOptions, RunStatus};
use serde::Deserialize;
use std::fmt;

/// The least cosine accepted between our embedding and the reference's.
pub const MIN_COSINE: f64 = 0.9999;

/// Expected values, as `guests/minilm/reference.py` writes them.
#[derive(Debug, Clone, Deserialize)]
pub struct Reference {
    /// How the values were produced.
    pub source: String,
    /// The texts, one request.
    pub texts: Vec<String>,
    /// The reference tokenizer's ids per text.
    pub tokens: Vec<Vec<u32>>,
    /// The reference embeddings per text.
    pub embeddings: Vec<Vec<f64>>,
}

/// What a check found.
#[derive(Debug, Clone)]
pub struct Report {
    /// Engines whose output equalled native's.
    pub engines: Vec<&'static str>,
    /// Cosine with the reference, per text.
    pub cosines: Vec<f64>,
    /// VM steps, when the VM ran.
    pub vm_steps: Option<u64>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "identical output: native, {}", self.engines.join(", "))?;
        if let Some(s) = self.vm_steps {
            writeln!(f, "VM steps: {s}")?;
        }
        for (i, c) in self.cosines.iter().enumerate() {
            writeln!(f, "text {i}: cosine with the reference {c:.7}")?;
        }
        Ok(())
    }
}

fn fail(msg: impl Into<String>) -> Error {
    Error::Check(msg.into())
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (na * nb)
}

/// Runs the checks; the native blob must be set (`opml_minilm::blob::set_native`) to the
/// program's.
pub fn run(wasm: &[u8], reference: &Reference, opts: &RunOptions, vm: bool) -> Result<Report> {
    #[derive(Deserialize)]
    struct Answer {
        dim: usize,
        embeddings: Vec<Vec<f32>>,
    }
    let input =
        serde_json::to_vec(&serde_json::json!({ "texts": reference.texts })).map_err(|source| {
            Error::Json {
                file: "request",
                source,
            }
        })?;
    let job = opml_minilm::begin(&input).map_err(fail)?;
    if job.tokens() != reference.tokens.as_slice() {
        return Err(fail(format!(
            "token ids differ from the reference tokenizer's: {:?} vs {:?}",
            job.tokens(),
            reference.tokens
        )));
    }
    let native = opml_minilm::run_native(&input);
    let mut engines = vec![Engine::Fast];
    if vm {
        engines.push(Engine::Vm);
    }
    let mut report = Report {
        engines: Vec::new(),
        cosines: Vec::new(),
        vm_steps: None,
    };
    for engine in engines {
        let sub = opml_executor::run(engine, wasm, &input, &Entry::Main, opts)?;
        if sub.status != RunStatus::Halted || sub.output != native {
            return Err(fail(format!(
                "{}: {}, output {} bytes, differs from native's",
                engine.name(),
                sub.status,
                sub.output.len()
            )));
        }
        if engine == Engine::Vm {
            report.vm_steps = Some(sub.work);
        }
        report.engines.push(engine.name());
    }
    let answer: Answer = serde_json::from_slice(&native).map_err(|_| {
        fail(format!(
            "not an embeddings answer: {}",
            String::from_utf8_lossy(&native)
        ))
    })?;
    if answer.embeddings.len() != reference.embeddings.len() {
        return Err(fail("embedding count differs from the reference"));
    }
    for (ours, theirs) in answer.embeddings.iter().zip(&reference.embeddings) {
        if ours.len() != answer.dim || theirs.len() != answer.dim {
            return Err(fail("embedding dimension differs"));
        }
        let ours: Vec<f64> = ours.iter().map(|&v| f64::from(v)).collect();
        report.cosines.push(cosine(&ours, theirs));
    }
    if let Some(c) = report
        .cosines
        .iter()
        .find(|&&c| c.is_nan() || c < MIN_COSINE)
    {
        return Err(fail(format!(
            "cosine {c} with the reference is below {MIN_COSINE}"
        )));
    }
    Ok(report)
}
