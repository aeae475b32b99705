#!/usr/bin/env bash
# Prints the size of the front end a phone downloads: raw, gzipped, and as sent to a browser
# that takes brotli (the .br file the release build wrote beside it).
set -euo pipefail
cd "$(dirname "$0")/.."
total_gz=0
total_br=0
for ext in wasm js css; do
  f=$(ls target/site/pkg/doorstep*."$ext" 2>/dev/null | head -n1 || true)
  [ -n "$f" ] || { echo "missing target/site/pkg/doorstep*.$ext: build first"; exit 1; }
  raw=$(stat -c %s "$f"); gz=$(gzip -9c "$f" | wc -c)
  if [ -f "$f.br" ]; then br=$(stat -c %s "$f.br"); else br=$gz; fi
  total_gz=$((total_gz + gz)); total_br=$((total_br + br))
  printf '%-48s %8d bytes  %8d gzipped  %8d brotli\n' "$f" "$raw" "$gz" "$br"
  if [ "$ext" = wasm ]; then
    printf '%-48s %8s        %8d gzipped (limit 400 KB: %d%%)\n' "release WASM" "" "$gz" $((gz * 100 / 409600))
  fi
done
printf '%-48s %8s        %8d gzipped  %8d brotli\n' "front end total" "" "$total_gz" "$total_br"
