//! Native checks: the model file's shape, ORA's answer on their input, the output format.

use super::*;
use opml_guest::host;

const INPUT_7: &[u8; INPUTS] = include_bytes!("../testdata/input_7");

#[test]
fn the_model_file_is_exactly_two_layers() {
    let (_, _, end) = model::layers(MODEL);
    assert_eq!(end, MODEL.len(), "trailing bytes in the model file");
    // 15,910 parameters, as ORA's SOURCE.md counts them.
    let params = INPUTS * HIDDEN + HIDDEN + HIDDEN * OUTPUTS + OUTPUTS;
    assert_eq!(params, 15_910);
}

#[test]
fn answers_seven_for_their_input_7() {
    assert_eq!(argmax(&logits(INPUT_7)), 7);
}

#[test]
fn prints_the_digit_and_round_tripping_logits() {
    host::set_input(INPUT_7);
    run();
    let out = String::from_utf8(host::take_output()).unwrap();
    let want = logits(INPUT_7);
    let body = out
        .strip_prefix("{\"digit\":7,\"logits\":[")
        .and_then(|s| s.strip_suffix("]}"))
        .unwrap_or_else(|| panic!("unexpected output {out}"));
    let got: Vec<f32> = body.split(',').map(|s| s.parse().unwrap()).collect();
    assert_eq!(got.len(), OUTPUTS);
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g.to_bits(), w.to_bits(), "{out}");
    }
}

#[test]
fn rejects_an_input_of_the_wrong_size() {
    host::set_input(&[0u8; 783]);
    run();
    assert!(host::take_output().starts_with(b"{\"error\":"));
}
