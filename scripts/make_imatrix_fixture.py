#!/usr/bin/env python3
"""Writes a small importance matrix in both of llama-imatrix's layouts, plus the values llama-quantize derives.

Outputs (Tests/Fixtures/imatrix/):
  tiny-mixtral.imatrix.gguf   llama-imatrix's GGUF (`save_imatrix`): general.type, imatrix.datasets,
                              imatrix.chunk_count, imatrix.chunk_size; per entry (names sorted) `<name>.in_sum2`
                              F32 ne=[ne0, n_mat] with raw sums and `<name>.counts` F32 ne=[1, n_mat]; no
                              general.architecture.
  tiny-mixtral.imatrix.dat    the legacy layout (`save_imatrix_legacy`) of the same statistics.
  tiny-mixtral.imatrix.json   per entry: counts (GGUF), ncall (.dat) and where its expected values sit in
  tiny-mixtral.imatrix.f32    the expected values, raw little-endian float32, as llama-quantize's load_imatrix
                              computes them: every GGUF entry's values (names sorted), then every .dat entry's.

The entries use tiny-mixtral's weight names and row lengths (hidden 256, expert FFN 128, 8 experts), with one
expert never routed (count 0) so the "count 0 -> importance 1" rule is exercised. Deterministic (seeded).
"""
import json
import math
import os
import struct
import sys

import numpy as np
import gguf

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "imatrix")
CHUNK_SIZE = 64
CHUNK_COUNT = 3
DATASET = "Calibration/calib.txt"


def statistics():
    rng = np.random.default_rng(20261129)
    tokens = CHUNK_COUNT * CHUNK_SIZE
    entries = {}
    # Dense weights: every token seen once.
    for name, ne0 in [("blk.0.attn_q.weight", 256)]:
        x = rng.standard_normal((tokens, ne0)).astype(np.float32)
        entries[name] = ((x * x).sum(axis=0, dtype=np.float32)[None, :], np.array([tokens], dtype=np.float32))
    # Expert weights: routed counts per expert, expert 5 never selected.
    for name, ne0 in [("blk.0.ffn_down_exps.weight", 128)]:
        counts = rng.integers(1, 2 * tokens // 8, size=8).astype(np.float32)
        counts[5] = 0
        sums = np.zeros((8, ne0), dtype=np.float32)
        for e in range(8):
            if counts[e] > 0:
                x = rng.standard_normal((int(counts[e]), ne0)).astype(np.float32)
                sums[e] = (x * x).sum(axis=0, dtype=np.float32)
        entries[name] = (sums, counts)
    return dict(sorted(entries.items()))


def gguf_values(sums, counts):
    # quantize.cpp load_imatrix: counts lround'ed; value = sum / (float)count, 1 where count == 0.
    out = np.empty_like(sums)
    for j, c in enumerate(counts):
        c = float(np.float32(round(float(c))))
        out[j] = sums[j] / np.float32(c) if c > 0 else np.float32(1)
    return out


def legacy_stored(sums, counts):
    # save_imatrix_legacy: ncall = ceil(max(counts) / chunk_size); stored = (sum / count) * ncall, 1 * ncall if 0.
    ncall = int((int(counts.max()) + CHUNK_SIZE - 1) // CHUNK_SIZE)
    stored = np.empty_like(sums)
    for j, c in enumerate(counts):
        if c > 0:
            stored[j] = (sums[j] / np.float32(c)) * np.float32(ncall)
        else:
            stored[j] = np.float32(1) * np.float32(ncall)
    return ncall, stored


def main():
    os.makedirs(OUT, exist_ok=True)
    entries = statistics()

    path = os.path.join(OUT, "tiny-mixtral.imatrix.gguf")
    w = gguf.GGUFWriter(path, arch="")
    w.kv_data[0].pop("general.architecture", None)   # llama-imatrix writes no architecture
    w.add_string("general.type", "imatrix")
    w.add_array("imatrix.datasets", [DATASET])
    w.add_uint32("imatrix.chunk_count", CHUNK_COUNT)
    w.add_uint32("imatrix.chunk_size", CHUNK_SIZE)
    for name, (sums, counts) in entries.items():
        w.add_tensor(name + ".in_sum2", sums)
        w.add_tensor(name + ".counts", counts.reshape(-1, 1))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    expected = {"gguf": {}, "dat": {}, "datasets": [DATASET], "chunk_count": CHUNK_COUNT, "chunk_size": CHUNK_SIZE}
    values = bytearray()
    dat = bytearray(struct.pack("<i", len(entries)))
    for name, (sums, counts) in entries.items():
        v = gguf_values(sums, counts).ravel().astype("<f4")
        expected["gguf"][name] = {"counts": [int(round(float(c))) for c in counts],
                                  "offset": len(values) // 4, "count": int(v.size)}
        values += v.tobytes()
    for name, (sums, counts) in entries.items():
        ncall, stored = legacy_stored(sums, counts)
        flat = stored.ravel().astype("<f4")
        dat += struct.pack("<i", len(name)) + name.encode() + struct.pack("<ii", ncall, flat.size) + flat.tobytes()
        # load_imatrix (legacy): value = stored / ncall, in float32.
        v = (flat / np.float32(ncall)).astype("<f4")
        expected["dat"][name] = {"ncall": ncall, "offset": len(values) // 4, "count": int(v.size)}
        values += v.tobytes()
    dat += struct.pack("<i", CHUNK_COUNT) + struct.pack("<i", len(DATASET)) + DATASET.encode()
    with open(os.path.join(OUT, "tiny-mixtral.imatrix.dat"), "wb") as f:
        f.write(dat)
    with open(os.path.join(OUT, "tiny-mixtral.imatrix.f32"), "wb") as f:
        f.write(values)
    with open(os.path.join(OUT, "tiny-mixtral.imatrix.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    for n in sorted(os.listdir(OUT)):
        print(n, os.path.getsize(os.path.join(OUT, n)))


if __name__ == "__main__":
    sys.exit(main())
