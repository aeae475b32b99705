#!/usr/bin/env bash
# Runs each fuzz target (cargo fuzz, libFuzzer with AddressSanitizer) for the given seconds
# (default 60), starting from the seed corpus in fuzz/seeds; what the fuzzer finds is kept
# in fuzz/corpus, and any crash in fuzz/artifacts. Installs cargo-fuzz when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1
# rustup's toolchain: it ships the AddressSanitizer runtime that -Zsanitizer=address links.
RUSTC="$(rustup which rustc 2>/dev/null || command -v rustc)"
export RUSTC
CARGO_FUZZ_VERSION=0.13.2
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(chat_export chat_archive csv_import webhook_payload)
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  echo "== $target: ${seconds} s"
  log="fuzz/corpus/$target.log"
  if ! cargo fuzz run --fuzz-dir fuzz "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=262144 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "!! $target failed: fuzz/artifacts/$target holds the input" >&2
    exit 1
  fi
  grep -E '^Done|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" || true
  if [ -n "$(ls -A "fuzz/artifacts/$target" 2>/dev/null)" ]; then
    echo "!! $target found a crash: fuzz/artifacts/$target" >&2
    exit 1
  fi
done
