#!/usr/bin/env python3
"""Expected token ids from Hugging Face `tokenizers` for Ingot's tokenizer tests.

For every tokenizer.json under Tests/Fixtures/vocab/tokenizer-fixtures/ and Tests/Fixtures/models/tokenizer.json,
writes Tests/Fixtures/tokenizer/<name>.expected.json with:
  - "whole": Calibration/eval.txt encoded as one string (add_special_tokens=True): the id count, the sha256 of
    the ids as little-endian uint32, and the sha256 (first 16 hex digits) of each chunk of CHUNK ids, so a
    mismatch can be located without storing ~1M ids;
  - "head": the same for the first HEAD characters (what debug-mode tests check);
  - "lines": the ids of the first LINES lines, one array per line (add_special_tokens=False), for readable diffs.

Usage: python3 scripts/make_tokenizer_expected.py   (needs `pip install tokenizers`)
"""
import hashlib
import json
import os
import struct

from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer")
CHUNK = 8192
HEAD = 65536
LINES = 400

SOURCES = {
    "gpt2_style": "Tests/Fixtures/vocab/tokenizer-fixtures/gpt2_style.json",
    "llama2_spm_style": "Tests/Fixtures/vocab/tokenizer-fixtures/llama2_spm_style.json",
    "llama3_style": "Tests/Fixtures/vocab/tokenizer-fixtures/llama3_style.json",
    "o200k_style": "Tests/Fixtures/vocab/tokenizer-fixtures/o200k_style.json",
    "models": "Tests/Fixtures/models/tokenizer.json",
}


def digest(ids):
    raw = struct.pack("<%dI" % len(ids), *ids)
    chunks = [hashlib.sha256(raw[i * 4:(i + CHUNK) * 4]).hexdigest()[:16] for i in range(0, len(ids), CHUNK)]
    return {"count": len(ids), "sha256": hashlib.sha256(raw).hexdigest(), "chunk": CHUNK, "chunks": chunks}


def main():
    with open(os.path.join(ROOT, "Calibration", "eval.txt"), encoding="utf-8", newline="") as f:
        text = f.read()
    os.makedirs(OUT, exist_ok=True)
    for name, rel in SOURCES.items():
        tok = Tokenizer.from_file(os.path.join(ROOT, rel))
        whole = tok.encode(text).ids
        head_text = text[:HEAD]
        head = tok.encode(head_text).ids
        lines = [tok.encode(line, add_special_tokens=False).ids for line in text.split("\n")[:LINES]]
        doc = {
            "tokenizer": rel,
            "text": "Calibration/eval.txt",
            "head_chars": HEAD,
            "whole": digest(whole),
            "head": digest(head),
            "lines": lines,
        }
        path = os.path.join(OUT, name + ".expected.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, separators=(",", ":"))
            f.write("\n")
        print(f"{name}: {len(whole)} ids, {os.path.getsize(path)} bytes -> {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
