#!/usr/bin/env python3
"""Loads an Ingot-written NF4 checkpoint with transformers + bitsandbytes (PyPI, CPU) and checks its logits.

Usage: check_nf4_transformers.py INGOT_DIR SOURCE_DIR
  INGOT_DIR   the checkpoint IngotQuantTests writes with INGOT_NF4_MODEL_DIR=INGOT_DIR (tiny Llama, projections in NF4
              with double quantization, config.json with Ingot's quantization_config)
  SOURCE_DIR  the dense model it came from (Tests/Fixtures/models/tiny-llama)

Three forward passes over the first 64 tokens of the fixture's reference chunk, all in float32:
  nf4    AutoModelForCausalLM.from_pretrained(INGOT_DIR): transformers' own bitsandbytes loading path
  deq    the dense model with each projection replaced by bitsandbytes' reference dequantization of Ingot's tensors
  dense  the original dense model
nf4 must equal deq to float32 matmul noise (the weights are identical), and stay close to dense (quantization error).
"""
import json
import os
import sys

os.environ.setdefault("TORCH_COMPILE_DISABLE", "1")

import numpy as np
import torch
import bitsandbytes.functional as F
from bitsandbytes.backends.default.ops import _dequantize_4bit_compute
from bitsandbytes.backends.utils import _get_4bit_code
from safetensors.numpy import load_file
from transformers import AutoModelForCausalLM


def reference_dequantize(qs_dict, packed):
    state = F.QuantState.from_dict(qs_dict, device=torch.device("cpu"))
    absmax = state.absmax
    if state.nested:
        absmax = F.dequantize_blockwise(state.absmax, state.state2)
        absmax += state.offset
    code = _get_4bit_code(state.quant_type, packed.device)
    # bitsandbytes' 4-bit matmul dequantizes straight to the activation dtype (float32 here), not to state.dtype
    return _dequantize_4bit_compute(packed.reshape(-1), absmax.float(), code, state.blocksize, state.shape, torch.float32)


def main(ingot_dir, source_dir):
    torch.manual_seed(0)
    tokens = json.load(open(os.path.join(source_dir, "reference.json")))["first_chunk_tokens"][:64]
    ids = torch.tensor([tokens])
    nf4 = AutoModelForCausalLM.from_pretrained(ingot_dir, dtype=torch.float32, device_map="cpu")
    n_4bit = sum(1 for m in nf4.modules() if type(m).__name__ == "Linear4bit")
    dense = AutoModelForCausalLM.from_pretrained(source_dir, dtype=torch.float32)
    deq = AutoModelForCausalLM.from_pretrained(source_dir, dtype=torch.float32)
    t = load_file(os.path.join(ingot_dir, "model.safetensors"))
    marker = ".quant_state.bitsandbytes__"
    names = sorted(k.split(marker)[0] for k in t if marker in k)
    params = dict(deq.named_parameters())
    source = load_file(os.path.join(source_dir, "model.safetensors"))
    same_packed = same_codes = 0
    for name in names:
        # bitsandbytes' own quantization of the same weight: the packed codes must be Ingot's byte for byte (the
        # double-quantized absmax codes too, unless the float32 mean offset differs in its last bit)
        qt = "nf4" if f"{name}.quant_state.bitsandbytes__nf4" in t else "fp4"
        meta = json.loads(bytes(t[f"{name}.quant_state.bitsandbytes__{qt}"].tolist()).decode())
        packed, state = F.quantize_4bit(torch.from_numpy(source[name]), blocksize=meta["blocksize"], quant_type=qt,
                                        compress_statistics="nested_offset" in meta)
        same_packed += np.array_equal(packed.numpy(), t[name])
        same_codes += np.array_equal(state.absmax.numpy(), t[f"{name}.absmax"])
        parts = ["absmax", "quant_map", "nested_absmax", "nested_quant_map", "quant_state.bitsandbytes__nf4",
                 "quant_state.bitsandbytes__fp4"]
        qs = {p: torch.from_numpy(t[f"{name}.{p}"]) for p in parts if f"{name}.{p}" in t}
        with torch.no_grad():
            params[name].copy_(reference_dequantize(qs, torch.from_numpy(t[name])))
    for p in nf4.parameters():
        if p.dtype == torch.float16:
            p.data = p.data.float()
    with torch.no_grad():
        l_fast = nf4(ids).logits[0].float()
    # On CPUs with AVX512-BF16, Linear4bit repacks the weight and runs a kernel that rounds through bf16; the generic
    # path (dequantize_4bit, then a float32 matmul) is what shows the weights themselves are identical.
    nf4 = AutoModelForCausalLM.from_pretrained(ingot_dir, dtype=torch.float32, device_map="cpu")
    for m in nf4.modules():
        if hasattr(m, "support_avx512bf16_for_cpu"):
            m.support_avx512bf16_for_cpu = False
    # transformers keeps the unquantized tensors (embeddings, norms, lm_head) in the checkpoint's F16 for a
    # bitsandbytes model; lift them to float32 like the dense references so only the 4-bit weights can differ.
    for p in nf4.parameters():
        if p.dtype == torch.float16:
            p.data = p.data.float()
    with torch.no_grad():
        l_nf4 = nf4(ids).logits[0].float()
        l_deq = deq(ids).logits[0].float()
        l_dense = dense(ids).logits[0].float()
    d_same = (l_nf4 - l_deq).abs().max().item()
    d_quant = (l_nf4 - l_dense).abs().max().item()
    agree = (l_nf4.argmax(-1) == l_dense.argmax(-1)).float().mean().item()
    print(f"transformers loaded {n_4bit} Linear4bit layers from {ingot_dir}; {len(names)} NF4 tensors in the file")
    print(f"bitsandbytes' quantize_4bit of the source weights: packed codes identical for {same_packed}/{len(names)}, "
          f"absmax identical for {same_codes}/{len(names)} tensors")
    print(f"max |logits(nf4 model) - logits(dense with Ingot's weights dequantized by bitsandbytes)| = {d_same:.3g}")
    print(f"max |logits(nf4 model) - logits(original dense)| = {d_quant:.3g}; top-1 agreement {agree:.3f}")
    print(f"(bitsandbytes' AVX512-BF16 CPU kernel, when the CPU has it: max |logits - generic path| = "
          f"{(l_fast - l_nf4).abs().max().item():.3g})")
    ok = n_4bit == len(names) and d_same < 1e-4 and same_packed == len(names)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
