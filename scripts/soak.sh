#!/usr/bin/env bash
# The soak run of `make soak`: `doorstep bench soak` on the release build; each run is added
# to docs/soak.md with the command, the machine and the commit it measured.
set -euo pipefail
minutes=${1:-30}
rate=${2:-200}
cd "$(dirname "$0")/.."
out=$(mktemp)
# The commit checked out when the run starts (the binary is `make release`'s of it).
commit=$(git rev-parse --short HEAD)
# Warnings only: a log line per request would be the larger part of the load.
RUST_LOG=warn ./target/release/doorstep bench soak --minutes "$minutes" --per-second "$rate" | tee "$out"
{
  echo
  echo "## \`make soak\` of $(date -u +%Y-%m-%d), commit $commit"
  echo
  echo "\`./target/release/doorstep bench soak --minutes $minutes --per-second $rate\`; $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) of memory; the load generator shares the machine and the process."
  echo "Targets: lead posts p99 under 100 ms, no error, RSS growth under 10% after the first five minutes."
  echo
  echo '```'
  # The temporary directory is this machine's; the document names none.
  sed 's|(SQLite in /[^)]*)|(SQLite in a temporary directory)|' "$out"
  echo '```'
} >> docs/soak.md
rm -f "$out"
echo "written to docs/soak.md"
