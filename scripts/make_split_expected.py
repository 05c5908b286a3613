#!/usr/bin/env python3
"""Expected pre-tokenizer splits from Hugging Face `tokenizers` (Oniguruma) for Ingot's hand-written scanners.

Random strings over a pool of characters chosen to hit every class the GPT-2, Llama-3 and o200k patterns
test (\\p{L} subcategories, \\p{M}, \\p{N}, White_Space vs. not, \\r\\n, apostrophe contractions in both cases,
U+017F long s), plus fixed edge cases. Writes Tests/Fixtures/tokenizer/split-cases.json:
{"gpt2": [[text, [piece, ...]], ...], "llama3": [...], "o200k": [...]}.

Usage: python3 scripts/make_split_expected.py
"""
import json
import os
import random

from tokenizers import Regex, pre_tokenizers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATTERNS = {
    "gpt2": r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+",
    "llama3": r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    "o200k": r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+",
}
POOL = (list("aAbBsStTrReEvVmMlLdDxyzQ") + list("0123456789") + [" "] * 6 + ["\t", "\n", "\r", "\x0b", "\x0c"]
        + list("'''/.,!?-_()\"#") + ["é", "ß", "Ł", "ſ", "ǅ", "ʰ", "中", "ぁ", "\u0301", "\u0903", "\u20dd", "²", "Ⅻ",
        "٣", "\u00a0", "\u2003", "\u0085", "\u200b", "\u1680", "\u3000", "\x1c", "\x1f", "🙂", "€", "\u2028",
        "\ufeff", "Ω", "ǈ", "ˆ"])
FIXED = ["it's", "IT'S", "it'S", "they're", "THEY'RE", "x'll", "x'LL", "'ſ", "a'ſ", "ǅungla", "ABCdef", "abcDEF",
         "ʰa", "a\u0301b", "\u0301", " \u0301x", "12345", " 123", "a  b", "a \n\n b", "\r\n", "x\r\n\r\ny",
         "  ", " ", "\t\tfoo", "foo  ", "a/b//\nc", "Hello, world!", "¡Hola!", "中文 字", "🙂🙂 x",
         "ied 4 ½ months", "  \u00a0x", "'", "''s", "x'", "DON'T", "don't", "Mc'Donald's"]


def main():
    rng = random.Random(20261129)
    cases = list(FIXED)
    for _ in range(360):
        n = rng.randint(1, 16)
        cases.append("".join(rng.choice(POOL) for _ in range(n)))
    out = {}
    for name, rx in PATTERNS.items():
        sp = pre_tokenizers.Split(Regex(rx), "isolated")
        out[name] = [[c, [p for p, _ in sp.pre_tokenize_str(c)]] for c in cases]
    path = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer", "split-cases.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"{len(cases)} cases per pattern -> {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
