#!/usr/bin/env python3
"""Writes Tests/Fixtures/formats/python-written.safetensors with the Python safetensors library (Rust core), so a
test can check that SafetensorsWriter produces the same bytes for the same tensors (header layout, key order,
space padding to 8 bytes). Tensors share one dtype and are named in sorted order, the order both writers use then.
"""
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

out = Path(sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/formats/python-written.safetensors")
tensors = {
    "a.weight": np.arange(6, dtype=np.float32).reshape(2, 3),
    "b.bias": np.array([1.5, -2.0, 0.25], dtype=np.float32),
    "c.s": np.array(7.0, dtype=np.float32),
}
save_file(tensors, str(out), metadata={"format": "pt"})
print(out, out.stat().st_size, "bytes")
