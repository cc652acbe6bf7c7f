//! Native checks of the inference against the training script's integer simulation.

use super::*;
use opml_guest::host;

const HELDOUT: &[u8] = include_bytes!("../testdata/heldout.bin");
const LOGITS: &[u8] = include_bytes!("../testdata/heldout-logits.bin");

fn samples() -> impl Iterator<Item = (u8, [u8; PIXELS])> {
    HELDOUT.chunks_exact(PIXELS + 1).map(|r| {
        let mut px = [0u8; PIXELS];
        px.copy_from_slice(&r[1..]);
        (r[0], px)
    })
}

#[test]
fn logits_match_the_training_script_exactly() {
    let expected: Vec<i32> = LOGITS
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    assert_eq!(expected.len(), samples().count() * CLASSES);
    for ((_, px), want) in samples().zip(expected.chunks_exact(CLASSES)) {
        assert_eq!(&logits(&px)[..], want);
    }
}

#[test]
fn heldout_accuracy_is_that_of_a_real_classifier() {
    let (n, correct) = samples().fold((0, 0), |(n, c), (label, px)| {
        (
            n + 1,
            c + usize::from(argmax(&logits(&px)) == usize::from(label)),
        )
    });
    assert_eq!(n, 360);
    // The training script reports the same figure; far above chance (10%).
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
    assert!(out.ends_with("]}"));
    assert_eq!(out.matches(',').count(), CLASSES);

    for bad in [&px[..63], &[17u8; 64][..], &[][..]] {
        host::set_input(bad);
        run();
        assert!(host::take_output().starts_with(b"{\"error\":"));
    }
}

#[test]
fn argmax_takes_the_first_maximum() {
    assert_eq!(argmax(&[1, 5, 5, 0, 0, 0, 0, 0, 0, -9]), 1);
    assert_eq!(argmax(&[-3; CLASSES]), 0);
}
