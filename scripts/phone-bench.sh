#!/usr/bin/env bash
# The front end as a phone gets it, on the release build serving the demo agency: bytes over
# the wire on a first and a repeat visit to Today, and Lighthouse's mobile scores for the
# agent's pages (logged in as Ana, an agent) and the public ones (a capture form, a
# presentation's share page). Needs `make release` first; `make bench` runs it.
#   ./scripts/phone-bench.sh [path/to/doorstep]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-./target/release/doorstep}"
port="${PHONE_BENCH_PORT:-3390}"
base="http://127.0.0.1:$port"
data=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT

"$bin" demo --data-dir "$data" >/dev/null
key=$("$bin" apikey create --name "phone bench" --scope admin --data-dir "$data" 2>/dev/null)
RUST_LOG=warn "$bin" serve --data-dir "$data" --addr "127.0.0.1:$port" >"$data/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.1; done

api() { curl -fsS -H "Authorization: Bearer $key" -H 'Content-Type: application/json' "$@"; }
# A deal with an owner, who also presents the listing on the share page.
read -r deal agent < <(api "$base/api/v1/deals" | python3 -c 'import json,sys; d=next(d for d in json.load(sys.stdin)["deals"] if d["owner_id"]); print(d["id"], d["owner_id"])')
form=$(api "$base/api/v1/forms" | python3 -c 'import json,sys; print(next(f["settings"]["slug"] for f in json.load(sys.stdin) if f["settings"].get("active", True) and f["settings"]["slug"] != "whatsapp"))')
property=$(api "$base/api/v1/properties" | python3 -c 'import json,sys; d=json.load(sys.stdin); print((d["properties"] if isinstance(d, dict) else d)[0]["id"])')
share=$(api -X POST "$base/api/v1/presentations" -d "{\"property_ids\":[$property],\"agent_id\":$agent}" | python3 -c 'import json,sys,urllib.parse; print(urllib.parse.urlparse(json.load(sys.stdin)["share_url"]).path)')

LIGHTHOUSE="$PWD/.tools/lighthouse/node_modules/.bin/lighthouse" \
  node end2end/phone-bench.mjs "$base" ana@costablanca-homes.test doorstep-demo "/deals/$deal" "/f/$form" "$share"
