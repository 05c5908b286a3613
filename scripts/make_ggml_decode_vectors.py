#!/usr/bin/env python3
"""Writes Tests/Fixtures/vectors/ggml-decode-vectors.safetensors: blocks of the ggml types Ingot only decodes
(Q8_1, Q8_K, TQ1_0, TQ2_0, NVFP4, Q1_0, Q2_0) and ggml's own dequantization of them.

Usage: make_ggml_decode_vectors.py [LIBGGML_BASE_SO] [OUT.safetensors]
  LIBGGML_BASE_SO defaults to the libggml-base.so bundled with llama-cpp-python (PyPI).

For each TYPE (lower-case ggml name), two sets of rows:
  TYPE.quantized.bytes   U8 [4, row_bytes]   ggml's quantize_row_<type>_ref of TYPE.quantized.input
  TYPE.quantized.input   F32 [4, 256]        gaussian input (F16-rounded)
  TYPE.random.bytes      U8 [4, row_bytes]   random block bytes, scale fields forced finite
  TYPE.*.dequant         F32 [4, 256]        ggml's dequantize_row_<type> of the bytes
Q8_1 has no dequantizer in ggml (it is an activation format); its .dequant is ggml's dequantize_row_q8_0 of the same
blocks with the `s` field removed (Q8_0's layout), which is the value a Q8_1 block denotes.
"""
import ctypes
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

# name: (ggml id, block elements, block bytes, byte ranges of f16 scale fields, f32 scale field offsets)
TYPES = {
    "q8_1": (9, 32, 36, [0, 2], []),
    "q8_K": (15, 256, 292, [], [0]),
    "tq1_0": (34, 256, 54, [52], []),
    "tq2_0": (35, 256, 66, [64], []),
    "nvfp4": (40, 64, 36, [], []),
    "q1_0": (41, 128, 18, [0], []),
    "q2_0": (42, 64, 18, [0], []),
}
ROWS, COLS = 4, 256


def main(base_so, out_path, seed=20261129):
    lib = ctypes.CDLL(base_so)
    rng = np.random.default_rng(seed)
    tensors = {}
    fp = ctypes.POINTER(ctypes.c_float)
    for name, (tid, qk, qb, f16s, f32s) in TYPES.items():
        nb = COLS // qk
        row_bytes = nb * qb
        x = (rng.standard_normal((ROWS, COLS)) * 0.05).astype(np.float16).astype(np.float32)
        x[1, :] = 0.0 if name != "q8_K" else x[1, :]
        quant = np.zeros((ROWS, row_bytes), np.uint8)
        qfun = getattr(lib, f"quantize_row_{name}_ref")
        qfun.argtypes = [fp, ctypes.c_void_p, ctypes.c_int64]
        for r in range(ROWS):
            xr = np.ascontiguousarray(x[r])
            qfun(xr.ctypes.data_as(fp), quant[r].ctypes.data, COLS)
        rand = rng.integers(0, 256, (ROWS, row_bytes), dtype=np.uint8)
        for b in range(nb):
            for off in f16s:   # finite F16 scales (NaN payloads are not part of the contract)
                h = (rng.standard_normal(ROWS) * 0.1).astype(np.float16).view(np.uint8).reshape(ROWS, 2)
                rand[:, b * qb + off:b * qb + off + 2] = h
            for off in f32s:
                f = (rng.standard_normal(ROWS) * 0.01).astype(np.float32).view(np.uint8).reshape(ROWS, 4)
                rand[:, b * qb + off:b * qb + off + 4] = f
        for label, data in (("quantized", quant), ("random", rand)):
            deq = np.zeros((ROWS, COLS), np.float32)
            for r in range(ROWS):
                if name == "q8_1":
                    blocks = data[r].reshape(nb, qb)
                    as_q8_0 = np.ascontiguousarray(np.concatenate([blocks[:, 0:2], blocks[:, 4:]], axis=1).reshape(-1))
                    f = lib.dequantize_row_q8_0
                    src = as_q8_0
                else:
                    f = getattr(lib, f"dequantize_row_{name}")
                    src = np.ascontiguousarray(data[r])
                f.argtypes = [ctypes.c_void_p, fp, ctypes.c_int64]
                out = np.zeros(COLS, np.float32)
                f(src.ctypes.data, out.ctypes.data_as(fp), COLS)
                deq[r] = out
            tensors[f"{name}.{label}.bytes"] = data
            tensors[f"{name}.{label}.dequant"] = deq
        tensors[f"{name}.quantized.input"] = x
    save_file(tensors, str(out_path), metadata={"source": "ggml dequantize_row_* from " + Path(base_so).name,
                                                "rows": str(ROWS), "cols": str(COLS)})
    print(f"wrote {out_path}: {len(tensors)} tensors, {Path(out_path).stat().st_size} bytes")


if __name__ == "__main__":
    default_lib = None
    try:
        import llama_cpp
        default_lib = str(Path(llama_cpp.__file__).parent / "lib" / "libggml-base.so")
    except ImportError:
        pass
    lib_path = sys.argv[1] if len(sys.argv) > 1 else default_lib
    if lib_path is None:
        raise SystemExit("pass the path of libggml-base.so (or pip install llama-cpp-python)")
    out = sys.argv[2] if len(sys.argv) > 2 else Path(__file__).resolve().parent.parent / "Tests/Fixtures/vectors/ggml-decode-vectors.safetensors"
    main(lib_path, out)
