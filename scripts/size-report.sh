#!/usr/bin/env bash
# Prints the size of the front end a phone downloads, raw and gzipped.
set -euo pipefail
cd "$(dirname "$0")/.."
total=0
for f in target/site/pkg/doorstep.wasm target/site/pkg/doorstep.js target/site/pkg/doorstep.css; do
  [ -f "$f" ] || { echo "missing $f: build first"; exit 1; }
  raw=$(stat -c %s "$f"); gz=$(gzip -9c "$f" | wc -c); total=$((total + gz))
  printf '%-34s %8d bytes  %8d gzipped\n' "$f" "$raw" "$gz"
done
printf '%-34s %8s        %8d gzipped (target 600 KB: %d%%)\n' "front end total" "" "$total" $((total * 100 / 614400))
