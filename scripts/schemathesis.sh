#!/usr/bin/env bash
# Fuzzes the JSON API (/api/v1) from its own OpenAPI document with Schemathesis: a server
# with demo data is started on a free port, an admin API key is made for it, and every
# operation is tried with generated valid and invalid requests under every check
# Schemathesis has. Fails on any failed check and on a panic in the server log (a panic in
# a debug build drops the connection instead of answering 500).
#   scripts/schemathesis.sh [BINARY]   (default ./target/debug/doorstep)
# SCHEMATHESIS_EXAMPLES (default 100) bounds the test cases per operation: about a minute
# or two. SCHEMATHESIS_SEED replays a run (its seed is printed in the summary).
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
VENV=.venv/schemathesis
BIN="${1:-./target/debug/doorstep}"
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-100}"
REPORTS=target/schemathesis

[ -x "$BIN" ] || { echo "schemathesis: no doorstep binary at $BIN (build it first)" >&2; exit 2; }

# Schemathesis in its own virtualenv, pinned; a warm machine installs nothing.
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "version $SCHEMATHESIS_VERSION\$"; then
  echo "schemathesis: installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

dir=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

# The demo agency (admin, manager, agents, stages, a capture form) and 50 deals with
# histories and follow-ups, so that lookups by id find something.
echo "schemathesis: demo data in $dir"
"$BIN" demo --data-dir "$dir" --deals 50 >"$dir/demo.log" 2>&1 || { cat "$dir/demo.log" >&2; exit 1; }
# An admin key reaches every /api/v1 route; the key is printed on stdout, once.
key=$("$BIN" apikey create --data-dir "$dir" --name schemathesis --scope admin 2>/dev/null)
[ -n "$key" ] || { echo "schemathesis: no API key was created" >&2; exit 1; }

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
log="$dir/server.log"
# POST /api/v1/leads takes no rate limit, but the capture limit is raised all the same so
# that a 429 never stands in for the answer a request would otherwise get.
RUST_BACKTRACE=0 "$BIN" serve --data-dir "$dir" --addr "127.0.0.1:$port" --capture-rate-limit 1000000 >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
  curl -fs "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "schemathesis: the server stopped:" >&2; tail -20 "$log" >&2; exit 1; }
  sleep 0.5
done
curl -fs "$base/readyz" >/dev/null || { echo "schemathesis: the server is not ready after 30 s" >&2; tail -20 "$log" >&2; exit 1; }

# Every check over every phase (examples, coverage, fuzzing, stateful): the document is an
# exact contract. No 5xx (nor a dropped connection), every answer documented and matching
# its schema, schema-valid requests taken and schema-violating ones refused, required
# headers required. scripts/schemathesis.toml says which answers count as taking valid
# data (422 for rules no schema can state). SCHEMATHESIS_CHECKS narrows the checks.
seed_args=()
[ -n "${SCHEMATHESIS_SEED:-}" ] && seed_args=(--seed "$SCHEMATHESIS_SEED")
mkdir -p "$REPORTS"
echo "schemathesis: $EXAMPLES examples per operation against $base/api/v1/openapi.json"
rc=0
# Run from the reports directory: Schemathesis keeps its crash cache (for `st replay`) and
# Hypothesis its own in the working directory, and they belong under target/, not the repo.
schemathesis="$PWD/$VENV/bin/schemathesis"
config="$PWD/scripts/schemathesis.toml"
(cd "$REPORTS" && "$schemathesis" --config-file "$config" run "$base/api/v1/openapi.json" \
  --header "Authorization: Bearer $key" \
  --checks "${SCHEMATHESIS_CHECKS:-all}" \
  --max-examples "$EXAMPLES" "${seed_args[@]}" \
  --request-timeout 30 \
  --generation-database none \
  --report junit --report-dir . \
  --no-color) || rc=$?

# A panic is a server error whatever Schemathesis made of the dropped connection.
if grep -q "panicked at" "$log"; then
  echo
  echo "schemathesis: the server panicked (each place once, with its message):"
  awk '/panicked at/ { sub(/.*panicked at /, ""); at = $0; getline; print "  " at " " $0 }' "$log" | sort | uniq -c
  [ "$rc" -ne 0 ] || rc=1
fi
exit "$rc"
