#!/usr/bin/env python3
"""Held-out accuracy of a digits guest, computed by running `opml run` on every sample.

    guests/digits/eval.py [--model digits|digits-f32] [--engine vm|fast] [--opml PATH]
                          [--limit N] [--jobs J]

Each held-out image (testdata/heldout.bin: label byte + 64 pixel bytes per sample) goes to
`opml run <wasm> --input <file> --engine <engine>`; the guest's JSON answer is read from the
printed output. Besides the accuracy, the scores must equal the training script's integer
simulation exactly (testdata/heldout-logits.bin; for digits-f32 its f32 logits times 1000,
truncated, from ../digits-f32/testdata/heldout-logits-f32.bin); any mismatch, failed run or trap
exits 1.
Python standard library only.
"""

import argparse
import concurrent.futures
import json
import os
import pathlib
import re
import struct
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# `opml run` prints the output bytes as hex; the guest's answer is the JSON they spell.
OUTPUT_HEX = re.compile(r"^output \(\d+ bytes\): ([0-9a-f]*)$", re.M)
STEPS = re.compile(r"^steps: (\d+)$", re.M)
ANSWER = re.compile(r'\{"digit":\d+,"scores":\[[-0-9,]*\]\}')


def find_opml(arg):
    if arg:
        return [arg]
    for profile in ("release", "debug"):
        exe = ROOT / "target" / profile / "opml"
        if exe.is_file():
            return [str(exe)]
    subprocess.run(["cargo", "build", "-q", "-p", "opml-cli"], cwd=ROOT, check=True)
    return [str(ROOT / "target/debug/opml")]


def expected_scores(model, n):
    """Per sample, the 10 scores the guest must print."""
    if model == "digits":
        raw = (HERE / "testdata/heldout-logits.bin").read_bytes()
        return [list(struct.unpack_from("<10i", raw, 40 * i)) for i in range(n)]
    raw = (HERE.parent / "digits-f32/testdata/heldout-logits-f32.bin").read_bytes()

    def milli(x):
        # f32 product (exact in double, then rounded once to f32), truncated, saturated as `as i32`.
        y = struct.unpack("<f", struct.pack("<f", x * 1000.0))[0]
        return max(-(2**31), min(2**31 - 1, int(y)))

    return [[milli(x) for x in struct.unpack_from("<10f", raw, 40 * i)] for i in range(n)]


def run_one(cmd, wasm, engine, pixels, tmp, i):
    path = pathlib.Path(tmp) / f"sample-{i}.bin"
    path.write_bytes(pixels)
    p = subprocess.run(
        cmd + ["run", str(wasm), "--input", str(path), "--engine", engine],
        capture_output=True,
        text=True,
    )
    m = OUTPUT_HEX.search(p.stdout)
    text = bytes.fromhex(m.group(1)).decode("utf-8", "replace") if m else p.stdout
    answer = ANSWER.fullmatch(text.strip()) if m else ANSWER.search(text)
    if p.returncode != 0 or not answer:
        return None, f"exit {p.returncode}: {p.stdout.strip()[-300:]} {p.stderr.strip()[-300:]}"
    steps = STEPS.search(p.stdout)
    return (json.loads(answer.group(0)), int(steps.group(1)) if steps else None), None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", default="vm", choices=["vm", "fast"])
    ap.add_argument("--opml", help="the opml binary (default: target/{release,debug}/opml)")
    ap.add_argument("--model", default="digits", choices=["digits", "digits-f32"])
    ap.add_argument("--wasm", help="the program (default: guests/wasm/<model>.wasm)")
    ap.add_argument("--limit", type=int, help="only the first N samples")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    args = ap.parse_args()

    data = (HERE / "testdata/heldout.bin").read_bytes()
    samples = [(data[k], data[k + 1 : k + 65]) for k in range(0, len(data), 65)]
    expected = expected_scores(args.model, len(samples))
    args.wasm = args.wasm or str(ROOT / f"guests/wasm/{args.model}.wasm")
    if args.limit:
        samples = samples[: args.limit]
    cmd = find_opml(args.opml)
    print(f"running {' '.join(cmd)} run {args.wasm} --engine {args.engine} on {len(samples)} samples")

    start = time.monotonic()
    correct = mismatched = failed = 0
    steps = []
    with tempfile.TemporaryDirectory() as tmp, concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [
            pool.submit(run_one, cmd, args.wasm, args.engine, px, tmp, i)
            for i, (_, px) in enumerate(samples)
        ]
        for i, ((label, _), fut) in enumerate(zip(samples, futures)):
            answer, err = fut.result()
            if err:
                failed += 1
                print(f"sample {i}: run failed: {err}", file=sys.stderr)
                continue
            answer, n_steps = answer
            if n_steps is not None:
                steps.append(n_steps)
            correct += answer["digit"] == label
            if answer["scores"] != expected[i]:
                mismatched += 1
                print(f"sample {i}: scores {answer['scores']} != expected {expected[i]}", file=sys.stderr)
    n = len(samples)
    secs = time.monotonic() - start
    print(f"engine {args.engine}: held-out accuracy {correct}/{n} = {100 * correct / n:.2f}%"
          f" ({mismatched} score mismatches vs the training script, {failed} failed runs, {secs:.1f} s)")
    if steps:
        print(f"VM steps per sample: min {min(steps)}, mean {sum(steps) / len(steps):.0f}, max {max(steps)}")
    sys.exit(1 if mismatched or failed else 0)


if __name__ == "__main__":
    main()
