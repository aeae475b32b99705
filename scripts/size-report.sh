#!/usr/bin/env bash
# Prints the size of the front end a phone downloads: raw, gzipped, and as sent to a browser
# that takes brotli (the .br file the release build wrote beside it). The main WASM module is
# what every page needs; each other page's own code is split off (cargo leptos --split) and
# comes with that page's first visit.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=target/site/pkg
sizes() { # file -> "raw gzipped brotli"
  local f="$1" raw gz br
  raw=$(stat -c %s "$f"); gz=$(gzip -9c "$f" | wc -c)
  if [ -f "$f.br" ]; then br=$(stat -c %s "$f.br"); else br=$gz; fi
  echo "$raw $gz $br"
}
total_gz=0
total_br=0
for ext in wasm js css; do
  f=$(ls "$pkg"/doorstep*."$ext" 2>/dev/null | head -n1 || true)
  [ -n "$f" ] || { echo "missing $pkg/doorstep*.$ext: build first"; exit 1; }
  read -r raw gz br < <(sizes "$f")
  total_gz=$((total_gz + gz)); total_br=$((total_br + br))
  printf '%-48s %8d bytes  %8d gzipped  %8d brotli\n' "$f" "$raw" "$gz" "$br"
  if [ "$ext" = wasm ]; then
    printf '%-48s %8s        %8d gzipped (limit 400 KB: %d%%)\n' "release WASM, main module" "" "$gz" $((gz * 100 / 409600))
  fi
done
printf '%-48s %8s        %8d gzipped  %8d brotli\n' "what every page needs" "" "$total_gz" "$total_br"
chunks=0; chunks_raw=0; chunks_gz=0; chunks_br=0
for f in "$pkg"/*.wasm; do
  case "$(basename "$f")" in doorstep.*) continue ;; esac
  read -r raw gz br < <(sizes "$f")
  chunks=$((chunks + 1)); chunks_raw=$((chunks_raw + raw)); chunks_gz=$((chunks_gz + gz)); chunks_br=$((chunks_br + br))
done
if [ "$chunks" -gt 0 ]; then
  printf '%-48s %8d bytes  %8d gzipped  %8d brotli\n' "$chunks split-off modules (all pages' own code)" "$chunks_raw" "$chunks_gz" "$chunks_br"
  largest=$(ls -S "$pkg"/split_*.wasm 2>/dev/null | head -n1 || true)
  if [ -n "$largest" ]; then
    read -r raw gz br < <(sizes "$largest")
    printf '%-48s %8d bytes  %8d gzipped  %8d brotli\n' "largest: $(basename "$largest" | cut -d. -f1)" "$raw" "$gz" "$br"
  fi
fi
