#!/usr/bin/env python3
"""Reads every .gguf in DIR with gguf-py (gguf.GGUFReader) and compares it with the JSON manifest Ingot's
GGUFPyExport test wrote beside it (X.gguf.json): key order, value types, values (floats bit for bit),
tensor names, types, ne, data offsets and a SHA-256 of each tensor's bytes. Exits 1 on any mismatch.

    INGOT_GGUF_OUT=/tmp/ingot-gguf swift test --filter GGUFPyExport && python3 scripts/check_gguf_py.py /tmp/ingot-gguf
"""
import hashlib
import json
import struct
import sys
from pathlib import Path

import gguf

SCALAR_FORMATS = {
    "UINT8": "<B", "INT8": "<b", "UINT16": "<H", "INT16": "<h", "UINT32": "<I", "INT32": "<i",
    "UINT64": "<Q", "INT64": "<q", "FLOAT32": "<I", "FLOAT64": "<Q", "BOOL": "<B",
}


def decode(part, type_name):
    """A manifest-style value from one gguf-py field part (a numpy array)."""
    raw = bytes(part.tobytes())
    if type_name == "STRING":
        return raw.decode("utf-8")
    value = struct.unpack(SCALAR_FORMATS[type_name], raw)[0]
    if type_name in ("FLOAT32", "FLOAT64"):
        return hex(value)
    if type_name == "BOOL":
        return value != 0
    return str(value)


def check_file(path: Path, errors: list) -> tuple:
    manifest = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
    reader = gguf.GGUFReader(str(path))
    where = path.name

    def fail(msg):
        errors.append(f"{where}: {msg}")

    version = int(reader.fields["GGUF.version"].parts[-1][0])
    if version != manifest["version"]:
        fail(f"version {version}, manifest {manifest['version']}")
    if reader.alignment != manifest["alignment"]:
        fail(f"alignment {reader.alignment}, manifest {manifest['alignment']}")
    if reader.data_offset != manifest["data_offset"]:
        fail(f"data offset {reader.data_offset}, manifest {manifest['data_offset']}")

    fields = [f for name, f in reader.fields.items() if not name.startswith("GGUF.")]
    keys = [f.name for f in fields]
    want_keys = [kv["key"] for kv in manifest["kv"]]
    if keys != want_keys:
        fail(f"keys {keys} != manifest {want_keys}")
    by_name = {f.name: f for f in fields}
    for kv in manifest["kv"]:
        field = by_name.get(kv["key"])
        if field is None:
            continue
        got_type = field.types[0].name
        if got_type != kv["type"]:
            fail(f"key '{kv['key']}': type {got_type}, manifest {kv['type']}")
            continue
        if got_type == "ARRAY":
            elem = field.types[1].name if len(field.types) > 1 else (
                gguf.GGUFValueType(int(field.parts[3][0])).name)
            if elem != kv["element_type"]:
                fail(f"key '{kv['key']}': element type {elem}, manifest {kv['element_type']}")
                continue
            got = [decode(field.parts[i], elem) for i in field.data]
        else:
            got = decode(field.parts[field.data[0]], got_type)
        if got != kv["value"]:
            fail(f"key '{kv['key']}': value {got!r}, manifest {kv['value']!r}")

    raw = path.read_bytes()
    if len(reader.tensors) != len(manifest["tensors"]):
        fail(f"{len(reader.tensors)} tensors, manifest {len(manifest['tensors'])}")
    for t, want in zip(reader.tensors, manifest["tensors"]):
        name = want["name"]
        if t.name != name:
            fail(f"tensor '{t.name}', manifest '{name}'")
        if int(t.tensor_type) != want["type"]:
            fail(f"tensor '{name}': type {int(t.tensor_type)}, manifest {want['type']} ({want['type_name']})")
        ne = [int(d) for d in t.shape]
        if ne != want["ne"]:
            fail(f"tensor '{name}': ne {ne}, manifest {want['ne']}")
        if int(t.n_bytes) != want["bytes"]:
            fail(f"tensor '{name}': {int(t.n_bytes)} bytes, manifest {want['bytes']}")
        if int(t.data_offset) != want["data_offset"]:
            fail(f"tensor '{name}': data offset {int(t.data_offset)}, manifest {want['data_offset']}")
        data = bytes(t.data.tobytes())
        if len(data) != want["bytes"] or hashlib.sha256(data).hexdigest() != want["sha256"]:
            fail(f"tensor '{name}': bytes differ from what Ingot wrote")
        direct = raw[want["data_offset"]:want["data_offset"] + want["bytes"]]
        if hashlib.sha256(direct).hexdigest() != want["sha256"]:
            fail(f"tensor '{name}': bytes at the manifest offset differ")
    return len(manifest["kv"]), len(manifest["tensors"])


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    directory = Path(sys.argv[1])
    files = sorted(p for p in directory.glob("*.gguf") if p.with_name(p.name + ".json").exists())
    if not files:
        print(f"{directory}: no .gguf files with a manifest (run the GGUFPyExport test first)", file=sys.stderr)
        return 1
    errors: list = []
    keys = tensors = 0
    for path in files:
        try:
            k, t = check_file(path, errors)
            keys += k
            tensors += t
        except Exception as e:  # a reader crash is a mismatch too
            errors.append(f"{path.name}: gguf-py failed: {type(e).__name__}: {e}")
    for e in errors:
        print(e, file=sys.stderr)
    print(f"gguf-py check: {len(files)} files, {keys} keys, {tensors} tensors: "
          f"{'OK' if not errors else str(len(errors)) + ' mismatches'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
