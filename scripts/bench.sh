#!/usr/bin/env bash
# Runs every benchmark on a release build and writes docs/BENCHMARKS.md: each figure as its
# command printed it, the target it is held to, the machine, and the command that reproduces
# it. Run on an otherwise idle machine: the figures are only as quiet as it is.
#   make bench
# BENCH_DEALS (default 1000000): deals in the database the dashboard's queries are timed on.
# BENCH_PG_REPORTS=1 also times them on PostgreSQL (loading a million deals there takes
# about 17 minutes on 2 cores, so it is left out unless asked for).
set -euo pipefail
cd "$(dirname "$0")/.."

deals="${BENCH_DEALS:-1000000}"
out=target/bench
report=docs/BENCHMARKS.md
pg_base="${PG_URL:-postgres://doorstep:doorstep@127.0.0.1:5432/postgres}"
mkdir -p "$out"

echo "==> release build (server and front end)"
cargo leptos build --release --precompress --split >"$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
bin=./target/release/doorstep
export RUST_LOG=warn

echo "==> PostgreSQL for the scheduler benchmark"
./scripts/postgres.sh
# A new empty database per run, named so a failed run's leftovers are easy to spot.
fresh_pg() {
  local name="doorstep_bench_$1"
  PGPASSWORD=doorstep PGOPTIONS=--client-min-messages=warning psql -q -h 127.0.0.1 -U doorstep -d postgres -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
  echo "${pg_base%/*}/$name"
}

# Each benchmark: a name, the target it is held to, the command; its output is kept in
# target/bench/<name>.txt and copied into the report.
# `shown` is what the report gives as the command when it is not the one run as is.
sections=()
shown=""
run() {
  local name="$1" target="$2"; shift 2
  echo "==> $name: $*"
  local started=$SECONDS
  "$@" 2>&1 | tee "$out/$name.txt"
  sections+=("$name|$target|${shown:-$*}|$((SECONDS - started))")
  shown=""
}

run capture "≥ 2,000 form posts/s sustained on SQLite, p99 < 50 ms" \
  "$bin" bench capture --seconds 10 --connections 32
run capture-returning "the same, with one post in five from a returning prospect" \
  "$bin" bench capture --seconds 10 --connections 32 --returning 20
run pages "the pipeline page with 200 deals rendered on the server in < 20 ms" \
  "$bin" bench pages --requests 100
run reminders-sqlite "100,000 reminders due in the same minute delivered within 10 s, none twice" \
  "$bin" bench reminders --count 100000 --workers 1
pg_url=$(fresh_pg reminders)
shown="DATABASE_URL=\$EMPTY_DB ./target/release/doorstep bench reminders --count 100000 --workers 2"
run reminders-postgres "the same on PostgreSQL with two schedulers competing" \
  env DATABASE_URL="$pg_url" "$bin" bench reminders --count 100000 --workers 2
run push "a form post pushed to the agent's phone: p99 < 500 ms over 1,000 leads on SQLite, the push service answering in 50 ms" \
  "$bin" bench push --leads 1000 --answer-ms 50
chromium_args=()
[ -x /usr/bin/chromium ] && chromium_args=(--chromium /usr/bin/chromium)
run pdf "one listing's PDF < 150 ms, a 5-listing shortlist < 500 ms" \
  "$bin" bench pdf --runs 30 "${chromium_args[@]}"

echo "==> $deals deals for the dashboard's queries (SQLite)"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
load_started=$SECONDS
"$bin" demo --data-dir "$data" --deals "$deals" >"$out/demo-sqlite.log" 2>&1
sqlite_load=$((SECONDS - load_started))
shown="./target/release/doorstep demo --data-dir /tmp/bench1m --deals $deals && ./target/release/doorstep bench reports --data-dir /tmp/bench1m --runs 5"
run reports-sqlite "every dashboard query < 50 ms p95 at a million deals (loaded in ${sqlite_load} s)" \
  "$bin" bench reports --data-dir "$data" --runs 5
if [ "${BENCH_PG_REPORTS:-0}" = 1 ]; then
  pg_url=$(fresh_pg reports)
  load_started=$SECONDS
  DATABASE_URL="$pg_url" "$bin" demo --deals "$deals" >"$out/demo-postgres.log" 2>&1
  PGPASSWORD=doorstep psql -q -h 127.0.0.1 -U doorstep -d "${pg_url##*/}" -c 'VACUUM ANALYZE'
  shown="DATABASE_URL=\$EMPTY_DB ./target/release/doorstep demo --deals $deals && psql \$EMPTY_DB -c 'VACUUM ANALYZE' && DATABASE_URL=\$EMPTY_DB ./target/release/doorstep bench reports --runs 5"
  run reports-postgres "the same on PostgreSQL (loaded in $((SECONDS - load_started)) s, then VACUUM ANALYZE)" \
    env DATABASE_URL="$pg_url" "$bin" bench reports --runs 5
fi
run front-end-size "the release WASM at most 400 KB gzipped" \
  ./scripts/size-report.sh
run phone "a first visit to Today at most 350 KB over the wire, nothing static again on a repeat visit; Lighthouse mobile performance >= 90 (LCP < 2.5 s), accessibility and best practices >= 95 on Today, Pipeline and a deal; 100 on the capture form and a share page" \
  ./scripts/phone-bench.sh "$bin"

echo "==> writing $report"
{
  echo "# Benchmarks"
  echo
  echo "Written by \`make bench\` (scripts/bench.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'), release build of"
  echo "\`$(git rev-parse --short HEAD)\`$(git diff --quiet HEAD -- app server migrations || echo ' with uncommitted changes'). Each section gives the target, the command"
  echo "that reproduces the figures, and what the command printed. \`docs/benchmarks.md\` keeps the"
  echo "history of each figure and how it was reached."
  echo
  echo "## The machine"
  echo
  echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
  echo "- Memory: $(free -g | awk '/^Mem:/ {print $2}') GiB"
  echo "- System: $(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -r)"
  echo "- Rust: $(${RUSTC:-rustc} --version)"
  echo "- PostgreSQL: $(PGPASSWORD=doorstep psql -h 127.0.0.1 -U doorstep -d postgres -tAc 'SHOW server_version' 2>/dev/null || echo 'not running')"
  echo "- SQLite: bundled with sqlx (WAL, one writer)"
  echo "- The benchmark's clients run on the same cores as the server."
  for section in "${sections[@]}"; do
    IFS='|' read -r name target command seconds <<<"$section"
    echo
    echo "## $name"
    echo
    echo "Target: $target."
    echo
    echo '```sh'
    echo "make release"
    echo "export RUST_LOG=warn"
    echo "$command"
    echo '```'
    echo
    echo "Printed (in ${seconds} s):"
    echo
    echo '```'
    cat "$out/$name.txt"
    echo '```'
  done
} >"$report"
echo "wrote $report"
