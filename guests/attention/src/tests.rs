//! Native checks: the f32 block against an f64 reference, softmax sanity, the JSON answer and
//! its rejections, and golden checksums pinning the exact f32 evaluation order.

use super::*;
use model::{WK, WO, WQ, WV, Weights, attention_weights, project, seeded, softmax};
use opml_guest::host;

/// Made by `testdata/make_input.py` (a positional-encoding pattern plus a ramp).
const INPUT: &[u8; SEQ_BYTES] = include_bytes!("../testdata/input.bin");

type Seq64 = [[f64; D]; T];

fn widen(x: &Seq) -> Seq64 {
    x.map(|r| r.map(f64::from))
}

fn project64(x: &Seq64, w: &Weights) -> Seq64 {
    let mut y = [[0.0; D]; T];
    for t in 0..T {
        for j in 0..D {
            y[t][j] = (0..D).map(|i| x[t][i] * f64::from(w[i][j])).sum();
        }
    }
    y
}

/// The same block in f64 with the platform's `exp`.
fn attention64(x: &Seq) -> Seq64 {
    let x = widen(x);
    let (q, k, v) = (project64(&x, &WQ), project64(&x, &WK), project64(&x, &WV));
    let mut ctx = [[0.0; D]; T];
    for i in 0..T {
        let s: Vec<f64> = (0..T)
            .map(|j| (0..D).map(|d| q[i][d] * k[j][d]).sum::<f64>() / 4.0)
            .collect();
        let m = s.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = s.iter().map(|s| (s - m).exp()).collect();
        let z: f64 = e.iter().sum();
        for j in 0..T {
            for d in 0..D {
                ctx[i][d] += e[j] / z * v[j][d];
            }
        }
    }
    project64(&ctx, &WO)
}

/// Largest |f32 - f64| relative to the largest |f64| output.
fn rel_error(x: &Seq) -> f64 {
    let (got, want) = (attention(x), attention64(x));
    let scale = want.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    let err = got
        .iter()
        .flatten()
        .zip(want.iter().flatten())
        .fold(0.0f64, |m, (&g, &w)| m.max((f64::from(g) - w).abs()));
    // An all-zero input gives an all-zero output: no scale to divide by.
    err / scale.max(f64::MIN_POSITIVE)
}

fn input() -> Seq {
    decode(INPUT).expect("testdata/input.bin decodes")
}

#[test]
fn matches_an_f64_reference() {
    for x in [input(), seeded(1), seeded(0xdead_beef), [[0.0; D]; T]] {
        let e = rel_error(&x);
        assert!(e < 1e-5, "relative error {e}");
    }
    // Large inputs: peaked softmax, still close.
    let big = seeded(7).map(|r| r.map(|v| v * 1000.0));
    assert!(rel_error(&big) < 1e-5);
}

#[test]
fn softmax_rows_are_distributions() {
    for x in [input(), seeded(3)] {
        let p = attention_weights(&project(&x, &WQ), &project(&x, &WK));
        for row in &p {
            let sum: f32 = row.iter().sum();
            assert!((sum - 1.0).abs() < 1e-6, "{row:?}");
            assert!(row.iter().all(|&v| (0.0..=1.0).contains(&v)));
        }
    }
    // Stable for scores that would overflow a naive exp.
    let mut row = [1000.0, 999.0, -1000.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    softmax(&mut row);
    assert!((row[0] - 0.731_058_6).abs() < 1e-6 && (row[1] - 0.268_941_4).abs() < 1e-6);
    assert_eq!(&row[2..], &[0.0; 6]);
    let mut flat = [5.0; T];
    softmax(&mut flat);
    assert_eq!(flat, [0.125; T]);
}

#[test]
fn permuting_tokens_permutes_the_output() {
    // No positional encoding: the block is permutation-equivariant up to summation order.
    let x = input();
    let mut rev = x;
    rev.reverse();
    let (y, mut yr) = (attention(&x), attention(&rev));
    yr.reverse();
    for (a, b) in y.iter().flatten().zip(yr.iter().flatten()) {
        assert!((a - b).abs() <= 1e-5 * (1.0 + a.abs()), "{a} {b}");
    }
}

#[test]
fn weights_are_exact_and_spread() {
    for w in [&WQ, &WK, &WV, &WO] {
        let all: Vec<f32> = w.iter().flatten().copied().collect();
        assert!(all.iter().all(|v| (-0.5..0.5).contains(v)));
        // Multiples of 2^-24: exact whatever evaluates the constant.
        assert!(all.iter().all(|v| (v * 16_777_216.0).fract() == 0.0));
        let mean = all.iter().sum::<f32>() / all.len() as f32;
        assert!(mean.abs() < 0.1, "{mean}");
    }
    assert_ne!(WQ, WK);
}

fn answer(input: &[u8]) -> String {
    host::set_input(input);
    run();
    String::from_utf8(host::take_output()).unwrap()
}

#[test]
fn answers_the_bits_and_checksum_of_the_block() {
    for (bytes, x) in [(&INPUT[..], input()), (&5u32.to_le_bytes()[..], seeded(5))] {
        let y = attention(&x);
        let out = answer(bytes);
        let hex: Vec<String> = y
            .iter()
            .flatten()
            .map(|v| format!("\"{:08x}\"", v.to_bits()))
            .collect();
        let want = format!(
            "{{\"tokens\":8,\"dim\":16,\"out\":[{}],\"checksum\":\"{:016x}\"}}",
            hex.join(","),
            checksum(&y)
        );
        assert_eq!(out, want);
        assert!(out.len() < 1536);
    }
}

#[test]
fn golden_checksums() {
    // Pins the f32 evaluation order: any change here changes the program's answers.
    assert_eq!(checksum(&attention(&input())), GOLDEN_INPUT);
    assert_eq!(checksum(&attention(&seeded(1))), GOLDEN_SEED_1);
}
const GOLDEN_INPUT: u64 = 0xd6f6_230f_1eee_b640;
const GOLDEN_SEED_1: u64 = 0x0a49_c582_de0b_30f0;

#[test]
fn rejects_bad_input() {
    let error = |b: &[u8]| answer(b).starts_with("{\"error\":");
    assert!(error(b""));
    assert!(error(&[0; 5]));
    assert!(error(&[0; SEQ_BYTES + 4]));
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1024.5, -2e9] {
        let mut b = *INPUT;
        b[100..104].copy_from_slice(&bad.to_le_bytes());
        assert!(error(&b), "{bad}");
    }
    let mut ok = *INPUT;
    ok[100..104].copy_from_slice(&(-1024.0f32).to_le_bytes());
    assert!(!error(&ok));
}
