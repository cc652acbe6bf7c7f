//! all-MiniLM-L6-v2 sentence embeddings as an opml program: BERT-uncased WordPiece, the 6-layer
//! encoder (exact erf GELU, LayerNorm eps 1e-12), mean pooling and L2 normalisation, as
//! sentence-transformers computes them.
//!
//! Input: `{"texts":["…",…]}` (1–8 texts) → `{"dim":384,"embeddings":[[…],…],"similarity":[[…],…]}`,
//! or `{"mode":"classify","texts":[query, label_1, …]}` → `abi.encode(uint8 best, int32[] scores)`
//! with `scores[i] = round(cos(query, label_i) · 10^6)`. Bad input answers `{"error":"…"}`.
//!
//! The weights and vocabulary are not in this crate: `opml-modelpack` splices them into the built
//! program as one data segment ([`blob`]). The program is segmented ([`opml_guest::segments!`]):
//! the first segment reads the request and tokenizes, then each segment runs one operator of one
//! text's forward pass ([`model`]), and the last one writes the answer.

pub mod blob;
pub mod io;
pub mod kernels;
pub mod model;
pub mod tokenize;

use blob::Model;
use io::Mode;
use model::Forward;
use opml_guest::{Flow, Segmented};

/// The program's state between segments.
#[derive(Debug, Default)]
pub enum Program {
    /// Nothing read yet.
    #[default]
    Start,
    /// Running the forward passes.
    Running(Box<Job>),
    /// The answer is written.
    Finished,
}

/// A request being served.
#[derive(Debug)]
pub struct Job {
    model: Model,
    mode: Mode,
    /// Token ids per text.
    tokens: Vec<Vec<u32>>,
    /// The current text's pass.
    pass: Forward,
    /// The finished embeddings, in text order.
    embeddings: Vec<Vec<f32>>,
}

/// Reads the request and the model and tokenizes every text.
pub fn begin(input: &[u8]) -> Result<Job, &'static str> {
    let request = io::parse_request(input)?;
    let model = blob::parse(blob::words()?)?;
    let max = tokenize::MAX_TOKENS.min(model.config.max_positions);
    let tokens: Vec<Vec<u32>> = request
        .texts
        .iter()
        .map(|t| tokenize::tokenize(t, &model.vocab, max))
        .collect();
    let pass = Forward::new(tokens[0].clone(), &model.config);
    Ok(Job {
        model,
        mode: request.mode,
        tokens,
        pass,
        embeddings: Vec::new(),
    })
}

impl Job {
    /// Runs one operator; `Some(answer)` once every text is done.
    pub fn step(&mut self) -> Option<Vec<u8>> {
        let emb = self.pass.step(&self.model)?;
        self.embeddings.push(emb);
        match self.tokens.get(self.embeddings.len()) {
            Some(ids) => {
                self.pass = Forward::new(ids.clone(), &self.model.config);
                None
            }
            None => Some(match self.mode {
                Mode::Json => io::render_json(&self.embeddings).into_bytes(),
                Mode::Classify => {
                    let (best, scores) = io::classify(&self.embeddings);
                    io::abi_encode(best, &scores)
                }
            }),
        }
    }

    /// The token ids of each text.
    pub fn tokens(&self) -> &[Vec<u32>] {
        &self.tokens
    }
}

fn read_input() -> Vec<u8> {
    let mut input = vec![0u8; opml_guest::input_len()];
    // The buffer has exactly the input's length, so the read is in bounds.
    let _ = opml_guest::read_input_at(0, &mut input);
    input
}

impl Segmented for Program {
    fn start() -> Self {
        Program::Start
    }

    fn segment(&mut self) -> Flow {
        match core::mem::take(self) {
            Program::Start => match begin(&read_input()) {
                Ok(job) => {
                    *self = Program::Running(Box::new(job));
                    Flow::More
                }
                Err(e) => {
                    opml_guest::write_output(io::render_error(e).as_bytes());
                    *self = Program::Finished;
                    Flow::Done
                }
            },
            Program::Running(mut job) => match job.step() {
                None => {
                    *self = Program::Running(job);
                    Flow::More
                }
                Some(answer) => {
                    opml_guest::write_output(&answer);
                    *self = Program::Finished;
                    Flow::Done
                }
            },
            Program::Finished => Flow::Done,
        }
    }
}

opml_guest::segments!(Program);

/// Runs the whole program natively on `input` with the blob set by [`blob::set_native`].
#[cfg(not(target_arch = "wasm32"))]
pub fn run_native(input: &[u8]) -> Vec<u8> {
    opml_guest::host::set_input(input);
    opml_guest::run_to_end::<Program>();
    opml_guest::host::take_output()
}
