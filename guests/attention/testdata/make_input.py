#!/usr/bin/env python3
"""Writes input.bin: 8 tokens x 16 dims as f32 little-endian, a sinusoidal positional-encoding
pattern plus a ramp over the tokens (+ on the first 8 dims, - on the last 8), so the tokens
differ and the attention weights are neither uniform nor one-hot."""
import math
import os
import struct

vals = []
for t in range(8):
    for d in range(16):
        f = 1.0 / (10000 ** ((d // 2 * 2) / 16))
        v = math.sin(t * f) if d % 2 == 0 else math.cos(t * f)
        vals.append(v + 0.125 * (t - 3.5) * (1 if d < 8 else -1))
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "input.bin")
with open(out, "wb") as fh:
    fh.write(struct.pack("<128f", *vals))
