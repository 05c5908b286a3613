#!/usr/bin/env python3
"""Writes Tests/Fixtures/quant/nf4-vectors.safetensors: small deterministic inputs quantized to NF4 and FP4 by
bitsandbytes' own CPU backend (torch CPU wheel + bitsandbytes from PyPI), with bitsandbytes' packed bytes, absmax,
double-quantization parts and dequantized floats. Ingot's tests hold its NF4/FP4 codec equal to these bytes and floats.

Usage:
  make_nf4_vectors.py [OUT.safetensors]            write the vectors (default: Tests/Fixtures/quant/nf4-vectors.safetensors)
  make_nf4_vectors.py --check-ingot INGOT.safetensors
        read a file Ingot wrote (IngotQuantTests with INGOT_WRITE_NF4=path): each weight's components under its
        own prefix, exactly as transformers saves them, plus PREFIX.ingot_dequant. bitsandbytes parses them with
        QuantState.from_dict (transformers' loading path) and its dequantize must equal Ingot's floats bit for bit.

Tensors written, for each CASE and CONFIG = {nf4,fp4}.b{blocksize}[.dq]:
  CASE.input                  F32 [rows, cols]
  CASE.CONFIG.packed          U8  [ceil(n/2), 1]   bitsandbytes' quantize_4bit output
  CASE.CONFIG.absmax          F32 [nblocks]        (no dq)  or U8 [nblocks] (dq)
  CASE.CONFIG.nested_absmax   F32 [ceil(nblocks/256)]    (dq only)
  CASE.CONFIG.nested_offset   F32 [1]                    (dq only: bitsandbytes' mean(absmax), float32)
  CASE.CONFIG.absmax_f32      F32 [nblocks]        (dq only: the float absmax before double quantization)
  CASE.CONFIG.dequant         F32 [rows, cols]     bitsandbytes' reference dequantize_4bit(packed, state)
Plus codebooks: quant_map.nf4, quant_map.fp4 (F32 [16]) and nested_quant_map (F32 [256], create_dynamic_map()).
__metadata__ records the versions used.
"""
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TORCH_COMPILE_DISABLE", "1")   # bitsandbytes' reference kernels run eagerly

import numpy as np
import torch
import bitsandbytes
import bitsandbytes.functional as F
from bitsandbytes.backends.default.ops import _dequantize_4bit_compute
from bitsandbytes.backends.utils import _get_4bit_code
from safetensors.numpy import save_file, load_file

SEED = 20261129


def cases(rng):
    out = {}
    out["gauss"] = (rng.standard_normal((24, 96)) * 0.02).astype(np.float32)
    # odd element count: partial last block and a padded nibble; a zero stretch and outliers
    odd = (rng.standard_normal((7, 33)) * 0.5).astype(np.float32)
    odd[2, :] = 0.0
    odd[4, 5] = 9.0
    odd[5, 7] = -7.5
    out["odd"] = odd
    # ties: every non-max element sits exactly on a midpoint between two codebook entries (absmax 1 per block),
    # plus zero blocks, constant blocks and tiny (subnormal) magnitudes
    nf4 = F.get_4bit_type("nf4", device="cpu").numpy()
    fp4 = F.get_4bit_type("fp4", device="cpu").numpy()
    mids = []
    for cb in (nf4, fp4):
        s = np.sort(cb.astype(np.float32))
        mids.append(((s[:-1] + s[1:]) / np.float32(2)).astype(np.float32))
    mids = np.concatenate(mids)
    edge = np.zeros((8, 128), dtype=np.float32)
    for r in range(4):
        row = rng.choice(mids, 128).astype(np.float32)
        row[::64] = 1.0   # absmax of each 64-block (and of each 128-block) is exactly 1
        edge[r] = row
    edge[4] = 0.0
    edge[5] = 0.25
    edge[6] = -3.0
    edge[7] = (rng.standard_normal(128) * 1e-39).astype(np.float32)   # subnormals
    out["edge"] = edge
    # more than 256 blocks at block 64, so double quantization has two nested chunks (the second partial)
    out["large"] = (rng.standard_t(4, (34, 520)) * 0.03).astype(np.float32)
    return out


def configs(case_name):
    blocks = (64,) if case_name == "large" else (64, 128)
    for qt in ("nf4", "fp4"):
        for b in blocks:
            for dq in (False, True):
                yield qt, b, dq


def reference_dequantize(packed, state):
    """bitsandbytes' reference ("default" backend) dequantize_4bit: flat blocks, w = code[q] * absmax[i // blocksize].

    The native CPU kernel (cdequantize_blockwise_cpu_*, taken when the last dimension is even) disagrees with it when
    blocks straddle rows in some shapes, e.g. [24, 96] at block 64 on an AVX-512 machine with bitsandbytes 0.50.2;
    the reference path is the definition the file format (and CUDA) follow. Both results are recorded.
    """
    absmax = state.absmax
    if state.nested:
        absmax = F.dequantize_blockwise(state.absmax, state.state2)
        absmax += state.offset
    code = _get_4bit_code(state.quant_type, packed.device)
    return _dequantize_4bit_compute(packed.reshape(-1), absmax.float(), code, state.blocksize, state.shape,
                                    torch.float32)


def quantize(x, qt, bs, dq):
    t = torch.from_numpy(x.copy())
    packed, state = F.quantize_4bit(t, blocksize=bs, compress_statistics=dq, quant_type=qt)
    deq = reference_dequantize(packed, state)
    native = F.dequantize_4bit(packed, state)
    return packed, state, deq, torch.equal(deq, native)


def write(out_path):
    rng = np.random.default_rng(SEED)
    tensors = {}
    tensors["quant_map.nf4"] = F.get_4bit_type("nf4", device="cpu").numpy().astype(np.float32)
    tensors["quant_map.fp4"] = F.get_4bit_type("fp4", device="cpu").numpy().astype(np.float32)
    tensors["nested_quant_map"] = F.create_dynamic_map().numpy().astype(np.float32)
    states = {}
    native_differs = []
    for name, x in cases(rng).items():
        tensors[f"{name}.input"] = x
        for qt, bs, dq in configs(name):
            key = f"{name}.{qt}.b{bs}" + (".dq" if dq else "")
            packed, state, deq, native_same = quantize(x, qt, bs, dq)
            if not native_same:
                native_differs.append(key)
            tensors[f"{key}.packed"] = packed.numpy().astype(np.uint8)
            tensors[f"{key}.dequant"] = deq.numpy().astype(np.float32)
            if dq:
                tensors[f"{key}.absmax"] = state.absmax.numpy().astype(np.uint8)
                tensors[f"{key}.nested_absmax"] = state.state2.absmax.numpy().astype(np.float32)
                tensors[f"{key}.nested_offset"] = np.array([state.offset.item()], dtype=np.float32)
                # the float absmax bitsandbytes double-quantized (quantize again without dq: same op, same input)
                _, plain = F.quantize_4bit(torch.from_numpy(x.copy()), blocksize=bs, compress_statistics=False,
                                           quant_type=qt)
                tensors[f"{key}.absmax_f32"] = plain.absmax.numpy().astype(np.float32)
                if not np.array_equal(state.state2.code.numpy(), tensors["nested_quant_map"]):
                    raise SystemExit(f"{key}: nested quant map differs from create_dynamic_map()")
            else:
                tensors[f"{key}.absmax"] = state.absmax.numpy().astype(np.float32)
            qs = state.as_dict(packed=True)
            states[key] = bytes(qs[f"quant_state.bitsandbytes__{qt}"].numpy().tolist()).decode()
    meta = {"source": "bitsandbytes quantize_4bit / dequantize_4bit, CPU backend",
            "bitsandbytes": bitsandbytes.__version__, "torch": torch.__version__,
            "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "quant_states": json.dumps(states),
            "native_cpu_dequantize_differs_from_reference": json.dumps(native_differs)}
    save_file(tensors, str(out_path), metadata=meta)
    size = Path(out_path).stat().st_size
    print(f"wrote {out_path}: {len(tensors)} tensors, {size} bytes")
    if native_differs:
        print(f"note: bitsandbytes' native CPU dequantize differs from its reference path for {native_differs}")
    if size >= 1 << 20:
        raise SystemExit("vectors file must stay below 1 MB")


def check_ingot(path):
    """bitsandbytes loads each weight Ingot wrote the way transformers does (QuantState.from_dict on the checkpoint's
    tensors, quant-state JSON included) and dequantizes it; the floats must equal Ingot's own decode bit for bit."""
    t = load_file(path)
    marker = ".quant_state.bitsandbytes__"
    keys = sorted(k.split(marker)[0] for k in t if marker in k)
    failures = 0
    for key in keys:
        parts = ["absmax", "quant_map", "nested_absmax", "nested_quant_map",
                 "quant_state.bitsandbytes__nf4", "quant_state.bitsandbytes__fp4"]
        qs_dict = {p: torch.from_numpy(t[f"{key}.{p}"]) for p in parts if f"{key}.{p}" in t}
        state = F.QuantState.from_dict(qs_dict, device=torch.device("cpu"))
        packed = torch.from_numpy(t[key])
        deq = reference_dequantize(packed, state).numpy()
        native = F.dequantize_4bit(packed, state).numpy()
        if not np.array_equal(deq.view(np.uint32), native.view(np.uint32)):
            print(f"{key}: note: bitsandbytes' native CPU kernel differs from its reference dequantize here")
        ingot = t[f"{key}.ingot_dequant"]
        same = np.array_equal(deq.view(np.uint32), ingot.view(np.uint32))
        print(f"{key}: {'equal' if same else 'DIFFERENT'} ({deq.size} values)")
        failures += 0 if same else 1
    print(f"{len(keys) - failures}/{len(keys)} Ingot packings dequantize to Ingot's floats in bitsandbytes")
    return 1 if failures or not keys else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check-ingot":
        sys.exit(check_ingot(sys.argv[2]))
    default = Path(__file__).resolve().parent.parent / "Tests/Fixtures/quant/nf4-vectors.safetensors"
    write(sys.argv[1] if len(sys.argv) > 1 else default)
