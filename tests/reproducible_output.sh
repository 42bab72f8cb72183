#!/usr/bin/env bash
# Compiles each model twice at once (so the two compiles load the machine, as a busy build does), from two
# folders under two file names, and fails unless the C, the kernel library and the reports (JSON, text and
# HTML) are byte-identical.
# Usage: reproducible_output.sh DEEPLOY SOURCE_DIR
set -euo pipefail
deeploy="$1"
source_dir="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# compile_twice NAME MODEL_DIR [compile options...]
compile_twice() {
  local name="$1" model_dir="$2"
  shift 2
  mkdir -p "$work/$name/first" "$work/$name/second/elsewhere"
  cp "$model_dir/network.onnx" "$work/$name/first/network.onnx"
  cp "$model_dir/inputs.npz" "$work/$name/first/inputs.npz"
  cp "$model_dir/network.onnx" "$work/$name/second/elsewhere/renamed_model.onnx"
  cp "$model_dir/inputs.npz" "$work/$name/second/elsewhere/some_inputs.npz"
  (cd "$work/$name/first" && "$deeploy" compile network.onnx --inputs inputs.npz -o out --report out/report.html "$@" \
    > log) &
  local first=$!
  (cd "$work/$name/second" && "$deeploy" compile elsewhere/renamed_model.onnx --inputs elsewhere/some_inputs.npz \
    -o "$work/$name/second/generated" --report "$work/$name/second/generated/report.html" "$@" > log) &
  local second=$!
  wait "$first"
  wait "$second"
  if ! diff -r "$work/$name/first/out" "$work/$name/second/generated"; then
    echo "FAIL $name: two compiles of the same model differ" >&2
    exit 1
  fi
  local files
  files="$(find "$work/$name/first/out" -type f | wc -l)"
  echo "PASS $name: $files files byte-identical"
}

# Tiled on the Siracusa cluster (the tile solver decides), split among 8 cores.
compile_twice qdq_cnn_siracusa "$source_dir/models/qdq/cnn" --target siracusa --cores 8 --l1 8000
# A prefill step whose exact memory plan stops at its work budget (the arena is not proven minimal).
compile_twice tinystories_prefill "$source_dir/models/tinystories/int8_prefill_16"
# A step over persistent KV caches, tiled.
compile_twice tinystories_decode_context "$source_dir/models/tinystories/int8_decode_511" --context 512 \
  --target siracusa --cores 8 --l1 16000
