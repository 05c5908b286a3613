#!/usr/bin/env bash
# Builds llama.cpp's llama-quantize, llama-perplexity and llama-imatrix from the
# vendored copy inside the llama-cpp-python==0.3.36 sdist (the same pin the gguf-py
# cross-checks use), so benchmarks compare against a known llama.cpp revision.
# Usage: scripts/build_llamacpp_tools.sh [DIR]   (default /work/llamacpp)
# Prints the directory holding the binaries. Idempotent: skips what already exists.
set -euo pipefail
DIR="${1:-/work/llamacpp}"
VERSION=0.3.36
SDIST="llama_cpp_python-$VERSION.tar.gz"
TARGETS=(llama-quantize llama-perplexity llama-imatrix)
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
BIN="$DIR/build/bin"

have_all() { for t in "${TARGETS[@]}"; do [[ -x "$BIN/$t" ]] || return 1; done; }
if have_all; then echo "$BIN"; exit 0; fi

# Build tools, only when absent.
missing=()
command -v cmake >/dev/null || missing+=(cmake)
{ command -v g++ >/dev/null && command -v make >/dev/null; } || missing+=(build-essential)
if ((${#missing[@]})); then
  echo "installing ${missing[*]}" >&2
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi

# The sdist: reuse a copy pip already unpacked, else ask pip (PyPI only) for it.
if [[ ! -f "$DIR/$SDIST" ]]; then
  found="$(ls /tmp/pip-unpack-*/"$SDIST" 2>/dev/null | head -n1 || true)"
  if [[ -n "$found" ]]; then
    cp "$found" "$DIR/$SDIST"
  else
    python3 -m pip download --no-deps --no-binary :all: --no-build-isolation \
      "llama-cpp-python==$VERSION" -d "$DIR" >&2
  fi
fi
SRC="$DIR/llama_cpp_python-$VERSION"
if [[ ! -f "$SRC/vendor/llama.cpp/CMakeLists.txt" ]]; then
  tar -xzf "$DIR/$SDIST" -C "$DIR"
fi

if [[ ! -f "$DIR/build/CMakeCache.txt" ]]; then
  cmake -S "$SRC/vendor/llama.cpp" -B "$DIR/build" -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_CURL=OFF -DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_BUILD_SERVER=OFF -DBUILD_SHARED_LIBS=OFF >&2
fi
nice -n 10 cmake --build "$DIR/build" --target "${TARGETS[@]}" -j 2 >&2
have_all || { echo "build finished but a tool is missing in $BIN" >&2; exit 1; }
echo "$BIN"
