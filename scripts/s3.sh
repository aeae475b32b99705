#!/usr/bin/env bash
# Starts an S3-compatible server on 127.0.0.1:9300 for the media-storage tests, if none is
# answering: moto's standalone server (the S3 HTTP API with SigV4, in memory), installed
# from PyPI the first time. Idempotent. Prints the endpoint.
set -euo pipefail
PORT=9300
MOTO_VERSION=5.2.1
if ! python3 -c 'import moto.server' 2>/dev/null; then
  echo "s3: installing moto $MOTO_VERSION's S3 server (once)" >&2
  python3 -m pip install -q "moto[server]==$MOTO_VERSION" >&2
fi
if ! curl -fs "http://127.0.0.1:$PORT/" >/dev/null 2>&1; then
  mkdir -p target/test-logs
  nohup python3 -m moto.server -H 127.0.0.1 -p "$PORT" >target/test-logs/s3.log 2>&1 &
  for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && break; sleep 0.5; done
fi
curl -fs "http://127.0.0.1:$PORT/" >/dev/null || { echo "s3: the S3 server did not start; see target/test-logs/s3.log" >&2; exit 1; }
echo "http://127.0.0.1:$PORT"
