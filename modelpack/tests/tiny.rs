//! The minilm guest with a same-architecture model of small random weights
//! (`guests/minilm/testdata/tiny`, made by `guests/minilm/reference.py --make-tiny`): spliced
//! into the committed guest build, run on both engines and natively, checked against the
//! reference embeddings in `expected.json` (how they were produced: its `source` field).

use opml_executor::{Engine, Entry, RunOptions, RunStatus};
use opml_modelpack::check::{MIN_COSINE, Reference};
use std::path::PathBuf;
use std::sync::OnceLock;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(repo(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn blob() -> Vec<u8> {
    let dir = "guests/minilm/testdata/tiny";
    opml_modelpack::bert_blob(
        &read(&format!("{dir}/config.json")),
        &read(&format!("{dir}/model.safetensors")),
        &read(&format!("{dir}/tokenizer.json")),
    )
    .unwrap()
}

/// The tiny program, packed once; the native blob set to the same model.
fn program() -> &'static [u8] {
    static P: OnceLock<Vec<u8>> = OnceLock::new();
    P.get_or_init(|| {
        let blob = blob();
        opml_minilm::blob::set_native(&blob);
        opml_modelpack::splice(&read("guests/wasm/minilm.wasm"), &blob, 64).unwrap()
    })
}

/// The bounds the program declares (its memory maximum), with a step bound for the tests.
fn opts() -> RunOptions {
    opml_executor::DeclaredBounds::of(program())
        .unwrap()
        .options(RunOptions {
            max_steps: 1 << 36,
            ..RunOptions::default()
        })
}

fn run(engine: Engine, input: &[u8]) -> Vec<u8> {
    let sub = opml_executor::run(engine, program(), input, &Entry::Main, &opts()).unwrap();
    assert_eq!(sub.status, RunStatus::Halted, "{}", engine.name());
    sub.output
}

fn reference() -> Reference {
    serde_json::from_slice(&read("guests/minilm/testdata/tiny/expected.json")).unwrap()
}

#[test]
fn embeddings_match_the_reference() {
    let reference = reference();
    program();
    let report = opml_modelpack::check::run(program(), &reference, &opts(), false).unwrap();
    assert_eq!(report.engines, ["fast"]);
    assert_eq!(report.cosines.len(), reference.texts.len());
    assert!(report.cosines.iter().all(|&c| c >= MIN_COSINE), "{report}");
}

/// The VM on two of the texts (the suite's VM is a debug build: a short request).
#[test]
fn the_vm_gives_the_same_bytes() {
    let mut reference = reference();
    let keep = [0, 2];
    reference.texts = keep.iter().map(|&i| reference.texts[i].clone()).collect();
    reference.tokens = keep.iter().map(|&i| reference.tokens[i].clone()).collect();
    reference.embeddings = keep
        .iter()
        .map(|&i| reference.embeddings[i].clone())
        .collect();
    program();
    let report = opml_modelpack::check::run(program(), &reference, &opts(), true).unwrap();
    assert_eq!(report.engines, ["fast", "vm"]);
    assert!(report.cosines.iter().all(|&c| c >= MIN_COSINE), "{report}");
}

/// `abi.encode(uint8, int32[])` decoded.
fn decode(out: &[u8]) -> (u8, Vec<i32>) {
    let word = |i: usize| &out[32 * i..32 * (i + 1)];
    let int = |i: usize| i64::from_be_bytes(word(i)[24..].try_into().unwrap());
    assert_eq!(int(1), 0x40);
    let n = int(2) as usize;
    assert_eq!(out.len(), 32 * (3 + n));
    let scores = (0..n)
        .map(|i| {
            let w = word(3 + i);
            let fill = if w[31 - 4] & 0x80 != 0 { 0xff } else { 0 };
            assert!(w[..28].iter().all(|&b| b == fill), "sign extension");
            i32::from_be_bytes(w[28..].try_into().unwrap())
        })
        .collect();
    (int(0) as u8, scores)
}

#[test]
fn classify_answers_the_abi_encoding_with_the_reference_scores() {
    let reference = reference();
    // Short texts: the suite's VM is a debug build.
    let pick = [0, 2, 5];
    let texts: Vec<&String> = pick.iter().map(|&i| &reference.texts[i]).collect();
    let input =
        serde_json::to_vec(&serde_json::json!({"mode": "classify", "texts": texts})).unwrap();
    let fast = run(Engine::Fast, &input);
    assert_eq!(fast, run(Engine::Vm, &input));
    program();
    assert_eq!(fast, opml_minilm::run_native(&input));
    let (best, scores) = decode(&fast);
    let e = |k: usize| &reference.embeddings[pick[k]];
    let cos = |k: usize| e(0).iter().zip(e(k)).map(|(a, b)| a * b).sum::<f64>();
    let want: Vec<f64> = (1..pick.len()).map(|k| cos(k) * 1e6).collect();
    for (s, w) in scores.iter().zip(&want) {
        assert!((f64::from(*s) - w).abs() < 200.0, "{scores:?} vs {want:?}");
    }
    let ref_best = (0..want.len())
        .max_by(|&a, &b| want[a].total_cmp(&want[b]))
        .unwrap();
    assert_eq!(usize::from(best), ref_best, "{scores:?}");
}

#[test]
fn bad_requests_answer_an_error_on_both_engines() {
    for input in [
        &b"not json"[..],
        br#"{"texts":[]}"#,
        br#"{"texts":["a","b","c","d","e","f","g","h","i"]}"#,
        br#"{"mode":"classify","texts":["only a query"]}"#,
        br#"{"texts":["a"],"extra":1}"#,
    ] {
        let fast = run(Engine::Fast, input);
        assert!(
            fast.starts_with(b"{\"error\":\""),
            "{}",
            String::from_utf8_lossy(&fast)
        );
        assert_eq!(fast, run(Engine::Vm, input));
    }
}

#[test]
fn the_guest_without_a_model_says_so() {
    let input = br#"{"texts":["hi"]}"#;
    let sub = opml_executor::run(
        Engine::Fast,
        &read("guests/wasm/minilm.wasm"),
        input,
        &Entry::Main,
        &RunOptions::default(),
    )
    .unwrap();
    assert_eq!(sub.status, RunStatus::Halted);
    assert!(String::from_utf8_lossy(&sub.output).contains("no model"));
}

#[test]
fn splicing_is_deterministic_and_bounds_memory() {
    let guest = read("guests/wasm/minilm.wasm");
    let blob = blob();
    let a = opml_modelpack::splice(&guest, &blob, 64).unwrap();
    assert_eq!(a, opml_modelpack::splice(&guest, &blob, 64).unwrap());
    let mut max = None;
    for p in wasmparser::Parser::new(0).parse_all(&a) {
        if let wasmparser::Payload::MemorySection(r) = p.unwrap() {
            let m = r.into_iter().next().unwrap().unwrap();
            max = m.maximum;
            let end = (opml_modelpack::BLOB_ADDR + blob.len()) as u64;
            assert_eq!(m.initial, end.div_ceil(65536));
        }
    }
    assert!(max.is_some());
    // A guest whose data reaches the blob address is refused.
    let mut module = wasm_encoder::Module::new();
    let mut mem = wasm_encoder::MemorySection::new();
    mem.memory(wasm_encoder::MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    module.section(&mem);
    let mut data = wasm_encoder::DataSection::new();
    let at = wasm_encoder::ConstExpr::i32_const(opml_modelpack::BLOB_ADDR as i32);
    data.active(0, &at, *b"x");
    module.section(&data);
    let big = module.finish();
    assert!(opml_modelpack::splice(&big, &blob, 1).is_err());
}
