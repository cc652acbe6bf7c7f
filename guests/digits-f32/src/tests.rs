//! Native checks of the f32 inference against the training script's f32 simulation.

use super::*;
use opml_guest::host;

const HELDOUT: &[u8] = include_bytes!("../../digits/testdata/heldout.bin");
const LOGITS: &[u8] = include_bytes!("../testdata/heldout-logits-f32.bin");

fn samples() -> impl Iterator<Item = (u8, [u8; PIXELS])> {
    HELDOUT.chunks_exact(PIXELS + 1).map(|r| {
        let mut px = [0u8; PIXELS];
        px.copy_from_slice(&r[1..]);
        (r[0], px)
    })
}

#[test]
fn logits_match_the_training_script_bit_for_bit() {
    let expected: Vec<u32> = LOGITS
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    assert_eq!(expected.len(), samples().count() * CLASSES);
    for ((_, px), want) in samples().zip(expected.chunks_exact(CLASSES)) {
        let got: Vec<u32> = logits(&px).iter().map(|s| s.to_bits()).collect();
        assert_eq!(got, want);
    }
}

#[test]
fn heldout_accuracy_is_that_of_a_real_classifier() {
    let (n, correct) = samples().fold((0, 0), |(n, c), (label, px)| {
        let hit = argmax(&logits(&px)) == usize::from(label);
        (n + 1, c + usize::from(hit))
    });
    assert_eq!(n, 360);
    assert!(correct * 100 >= n * 90, "{correct}/{n}");
}

#[test]
fn answers_json_and_rejects_bad_input() {
    let (label, px) = samples().next().unwrap();
    host::set_input(&px);
    run();
    let out = String::from_utf8(host::take_output()).unwrap();
    assert!(
        out.starts_with(&format!("{{\"digit\":{label},\"scores\":[")),
        "{out}"
    );
    host::set_input(&[17u8; 64]);
    run();
    assert!(host::take_output().starts_with(b"{\"error\":"));
}

#[test]
fn milli_truncates_and_saturates() {
    assert_eq!(milli(1.2349), 1234);
    assert_eq!(milli(-1.2349), -1234);
    assert_eq!(milli(1e30), i32::MAX);
}
