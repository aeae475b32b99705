#!/usr/bin/env bash
# Runs every test and prints each runner's summary line; fails if any runner fails.
set -uo pipefail
cd "$(dirname "$0")/.."
logs=target/test-logs
mkdir -p "$logs"
status=0
summaries=()

step() { echo; echo "==> $1"; }
# A runner that died before its summary (out of disk, killed) says so instead of a blank.
summary_of() {
  local line
  line=$(grep -E "$2" "$1" 2>/dev/null | tail -1 | sed 's/^ *//')
  echo "${line:-no summary line: the runner stopped early, see $1}"
}

# A full build, PostgreSQL, the Python fuzzer and Chromium profiles need about 8 GB, and a
# nearly full disk fails in odd places (Chromium refuses to cache the front end long before
# the disk is full): say so first.
free_gb=$(df -Pk . | awk 'NR==2 {print int($4 / 1048576)}')
if [ "${free_gb:-0}" -lt 12 ]; then
  echo "warning: only ${free_gb} GB free on this disk; the tests need about 8 GB and may fail for want of space"
fi

step "lints: clippy, every warning an error"
# Debian's clippy, which matches Debian's rustc (rustup's on PATH is another version).
# Allowed, on purpose: money written in minor units (350_000_00 is EUR 350,000.00), the types
# of Leptos resources, and services that take their dependencies as arguments.
PATH=/usr/bin:$PATH cargo clippy -p app -p server -p migrations --tests -- -D warnings \
  -A clippy::inconsistent_digit_grouping -A clippy::type_complexity -A clippy::too_many_arguments 2>&1 | tee "$logs/clippy.log"; rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || status=1
summaries+=("Clippy:     $([ "$rc" -eq 0 ] && echo "no warning" || echo "$(grep -cE '^(warning|error)' "$logs/clippy.log") warnings or errors (exit $rc)")")

step "dependencies: licences, duplicates and sources (cargo-deny, deny.toml)"
cargo deny --log-level error check licenses bans sources 2>&1 | tee "$logs/deny.log"; rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || status=1
summaries+=("cargo-deny: $(grep -E '^(licenses|bans|sources) ' "$logs/deny.log" | tr '\n' ' ')(exit $rc)")

step "unit and integration tests on SQLite"
# Media in an S3 bucket is tested against a local S3-compatible server.
DOORSTEP_TEST_S3_ENDPOINT=$(./scripts/s3.sh) || status=1
export DOORSTEP_TEST_S3_ENDPOINT AWS_ACCESS_KEY_ID=doorstep-test AWS_SECRET_ACCESS_KEY=doorstep-test-secret
# The proxy tests run Debian's nginx in front of doorstep serve and check the Caddyfile with Caddy (both installed by setup.sh).
export DOORSTEP_TEST_NGINX=/usr/sbin/nginx DOORSTEP_TEST_CADDY=/usr/bin/caddy
$NEXTEST 2>&1 | tee "$logs/sqlite.log"; rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || status=1
summaries+=("SQLite:     $(summary_of "$logs/sqlite.log" 'Summary \[')")

step "integration tests on PostgreSQL"
./scripts/postgres.sh
DOORSTEP_TEST_DATABASE_URL="$PG_URL" $NEXTEST -p server -E 'kind(test)' 2>&1 | tee "$logs/postgres.log"; rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || status=1
summaries+=("PostgreSQL: $(summary_of "$logs/postgres.log" 'Summary \[')")

step "the JSON API fuzzed from its OpenAPI document (Schemathesis)"
./scripts/schemathesis.sh ./target/debug/doorstep 2>&1 | tee "$logs/schemathesis.log"; rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || status=1
summaries+=("Schemathesis: $(summary_of "$logs/schemathesis.log" '^=+ .* in [0-9.]+s =+$' | tr -d '=' | sed 's/^ *//;s/ *$//') (exit $rc)")

step "end-to-end journeys in Chromium"
# The site build's own error is printed in full; a failure is tried once more so that one
# flaky step is told apart from a broken build (both attempts stay in the log).
build_site() {
  cargo leptos build --split >"$logs/build.log" 2>&1 && return 0
  echo "the site build failed; its last lines:"; tail -40 "$logs/build.log"
  echo "trying the site build once more"
  cargo leptos build --split >>"$logs/build.log" 2>&1 && return 0
  tail -40 "$logs/build.log"; return 1
}
if build_site; then
  (cd end2end && npx playwright test) 2>&1 | tee "$logs/e2e.log"; rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || status=1
  summaries+=("Playwright: $(summary_of "$logs/e2e.log" '^ *[0-9]+ (passed|failed)' ) $(grep -E '^ *[0-9]+ failed' "$logs/e2e.log" | tail -1 | sed 's/^ *//')")
else
  status=1
  summaries+=("Playwright: not run, the site did not build (see $logs/build.log)")
fi

echo
echo "==> summary"
printf '%s\n' "${summaries[@]}"
passed=0; failed=0
for f in "$logs/sqlite.log" "$logs/postgres.log"; do
  line=$(grep -E 'Summary \[' "$f" | tail -1)
  p=$(sed -nE 's/.* ([0-9]+) passed.*/\1/p' <<<"$line"); f2=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f2:-0}))
done
if [ -f "$logs/e2e.log" ]; then
  p=$(grep -E '^ *[0-9]+ passed' "$logs/e2e.log" | tail -1 | grep -oE '[0-9]+' | head -1)
  f2=$(grep -E '^ *[0-9]+ failed' "$logs/e2e.log" | tail -1 | grep -oE '[0-9]+' | head -1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f2:-0}))
fi
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "all: $passed passed, $failed failed"
exit $status
