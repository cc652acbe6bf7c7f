//! The committed examples (`guests/wasm/*.wasm`) with their sample inputs, and the paths and
//! helpers the tests share.

use std::path::{Path, PathBuf};

/// A committed example and the input its tests run it on.
pub(crate) struct Example {
    /// The file's stem (`segments`, `digits`, …).
    pub(crate) name: String,
    pub(crate) wasm: Vec<u8>,
    /// Its sample input ([`sample_input`]).
    pub(crate) input: Vec<u8>,
}

/// Every committed example, by name (at least the seven of `guests/README.md`).
pub(crate) fn committed() -> Vec<Example> {
    let mut paths = Vec::new();
    for e in std::fs::read_dir(root().join("guests/wasm")).expect("committed guests") {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "wasm") {
            paths.push(p);
        }
    }
    paths.sort();
    assert!(paths.len() >= 7, "committed examples: {paths:?}");
    paths
        .iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            Example {
                wasm: std::fs::read(p).unwrap(),
                input: sample_input(&name),
                name,
            }
        })
        .collect()
}

pub(crate) fn wat(src: &str) -> Vec<u8> {
    wat::parse_str(src).expect("test wat parses")
}

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A committed example's sample input (`guests/<name>/testdata/…`), else empty.
fn sample_input(name: &str) -> Vec<u8> {
    let g = root().join("guests");
    let dir = if name == "digits-f32" { "digits" } else { name };
    ["input.bin", "sample.bin", "input_7", "texts.json"]
        .iter()
        .find_map(|f| std::fs::read(g.join(dir).join("testdata").join(f)).ok())
        .unwrap_or_default()
}
