#!/usr/bin/env python3
"""Writes Tests/Fixtures/vectors/mxfp4-hf-table.bin: the value transformers gives every (E8M0 scale byte, E2M1 code)
pair of the Hugging Face MXFP4 layout, for MXFP4CheckpointTests.

Mirrors `_convert_moe_packed_tensors` of transformers 5.24.0 (`transformers/integrations/mxfp4.py`):

    scales = scales.to(torch.int32) - 127
    lut = torch.tensor(FP4_VALUES, dtype=dtype)          # dtype = torch.bfloat16 by default
    sub[:, 0::2] = lut[idx_lo]; sub[:, 1::2] = lut[idx_hi]
    torch.ldexp(sub, exp, out=sub)

and PyTorch's `ldexp_out(self, other, result) = at::mul_out(result, self, at::pow(2.0, other))`
(aten/src/ATen/native/BinaryOps.cpp): `pow(2.0, int32 tensor)` is computed in float32 (the default float dtype),
the product of a bfloat16 and a float32 tensor in float32, and the result rounded into the bfloat16 `out` tensor.
NumPy float32 does the same float32 operations (powf of 2 to an integer exponent is exact; 2^128 overflows to
+inf; 0 * inf is nan), and the bfloat16 rounding is done explicitly below (round to nearest even on the float32
bits, NaN kept NaN) and widened back to float32.

Output: 256 x 16 little-endian float32, index = scale_byte * 16 + code. No torch needed; numpy only.
"""
import os
import sys

import numpy as np

FP4_VALUES = [+0.0, +0.5, +1.0, +1.5, +2.0, +3.0, +4.0, +6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0]


def to_bf16_and_back(x: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 (round to nearest, ties to even, as torch's c10::BFloat16 conversion) -> float32."""
    bits = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    nan = np.isnan(x)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    out = (rounded << 16).astype(np.uint32).view(np.float32)
    out = np.where(nan, np.float32(np.nan), out)
    return out.astype(np.float32)


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, "Tests", "Fixtures", "vectors", "mxfp4-hf-table.bin")
    lut = to_bf16_and_back(np.array(FP4_VALUES, dtype=np.float32))          # lut in bfloat16 (all exact)
    exp = np.arange(256, dtype=np.int32) - 127                                 # scales.to(int32) - 127
    with np.errstate(over="ignore", invalid="ignore"):
        pow2 = np.power(np.float32(2.0), exp.astype(np.float32))              # at::pow(2.0, other): float32
        prod = lut[None, :] * pow2[:, None]                                    # mul in float32
    table = to_bf16_and_back(prod)                                             # into the bfloat16 out tensor
    assert table.shape == (256, 16) and table.dtype == np.float32
    # The facts the Swift test also states: subnormal at 0, inf/nan at 255.
    assert table[0, 1] == np.float32(2.0 ** -128) and table[0, 1] != 0
    assert np.isnan(table[255, 0]) and np.isnan(table[255, 8]) and np.isposinf(table[255, 1]) and np.isneginf(table[255, 9])
    with open(path, "wb") as f:
        f.write(table.astype("<f4").tobytes())
    print(f"wrote {path}: 256 scales x 16 codes, {np.isnan(table).sum()} nan, {np.isinf(table).sum()} inf", file=sys.stderr)


if __name__ == "__main__":
    main()
