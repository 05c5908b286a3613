#!/usr/bin/env python3
"""Writes Calibration/manifest.json: sha256, bytes, lines and token counts of each text set.

Token counts use the bundled tiny models' tokenizer (Tests/Fixtures/models/tokenizer.json) through
Hugging Face `tokenizers` (pip install tokenizers). Run from the repository root.
"""
import hashlib, json, os, sys

from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = {
    "eval.txt": {"role": "evaluation (perplexity, KL-divergence)"},
    "calib.txt": {"role": "calibration (importance matrix, error reports)"},
}
SOURCE = ("Debian packages python3.11-doc (reST sources of the Python 3.11 documentation), fortunes (English) and "
          "fortunes-zh (Chinese classical poetry); split by file with a stable sha256 of the source path: 88 % "
          "training (not shipped), 6 % evaluation, 6 % calibration, so the sets are disjoint from each other and "
          "from what the bundled models were trained on")
LICENCE = ("Python documentation: PSF License Version 2 (see /usr/share/doc/python3.11-doc/copyright); fortunes and "
           "fortunes-zh: as stated in /usr/share/doc/fortunes*/copyright of those Debian packages")

tok = Tokenizer.from_file(os.path.join(ROOT, "Tests/Fixtures/models/tokenizer.json"))
out = {"source": SOURCE, "licence": LICENCE, "tokenizer": "Tests/Fixtures/models/tokenizer.json", "sets": {}}
for name, info in SETS.items():
    path = os.path.join(ROOT, "Calibration", name)
    data = open(path, "rb").read()
    text = data.decode("utf-8")
    ids = tok.encode(text, add_special_tokens=False).ids
    out["sets"][name] = dict(info, bytes=len(data), lines=text.count("\n") + 1,
                             sha256=hashlib.sha256(data).hexdigest(), tokens=len(ids))
json.dump(out, open(os.path.join(ROOT, "Calibration/manifest.json"), "w"), indent=2, ensure_ascii=False)
print(json.dumps(out["sets"], indent=2))
