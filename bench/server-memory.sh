#!/usr/bin/env bash
# The server's memory on a data directory, step by step (issue 17): start,
# then one request at a time, each the first of its kind, then a short wrk
# run; after each step the server's RssAnon (its own memory), VmRSS and
# VmHWM from /proc/PID/status. Same sequence for every build, so two
# builds compare.
#
#   bench/server-memory.sh --data-dir DIR               # the release build
#   bench/server-memory.sh --data-dir DIR --bin PATH    # another build
#
# Options: --port 3250 (127.0.0.1), --duration 5s (the wrk run; 0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DATA=""
BIN=$ROOT/target/release/iopfinder
PORT=3250
DURATION=5s
while [ $# -gt 0 ]; do
  case "$1" in
    --data-dir) DATA=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$DATA" ] || { echo "--data-dir DIR is needed (a crawled data directory)" >&2; exit 2; }

URL=http://127.0.0.1:$PORT
RUST_LOG=warn "$BIN" serve --data-dir "$DATA" --addr "127.0.0.1:$PORT" > /dev/null 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  curl -sf -o /dev/null "$URL/healthz" && break
  kill -0 "$SERVER" 2>/dev/null || { echo "server exited" >&2; exit 1; }
  sleep 0.1
done

mib() { awk -v f="$1:" '$1 == f { printf "%.0f", $2 / 1024 }' "/proc/$SERVER/status"; }
row() { echo "| $1 | $(mib RssAnon) | $(mib VmRSS) | $(mib VmHWM) |"; }
get() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' "$URL$1")
  [ "$code" = 200 ] || { echo "$1 answered $code" >&2; exit 1; }
}

echo "$BIN on $DATA; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| after | RssAnon MiB | VmRSS MiB | VmHWM MiB |"
echo "|---|---:|---:|---:|"
row "start (/healthz)"
get "/api/v1/search?near=10001&radius=25&per_page=1"
row "first search by place (API, ZIP 10001)"
ID=$(curl -sf "$URL/api/v1/search?near=10001&radius=25&per_page=1" | grep -o '"id":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
get "/programs/$ID"
row "a program page"
get "/search?near=10001&radius=25"
row "first HTML results page (the map)"
get "/search?near=Sacramento%2C+CA&radius=50&insurance=medicaid"
row "another place (a city), a filter"
get "/es/search?near=95814"
row "first Spanish results page"
if [ "$DURATION" != 0 ] && command -v wrk > /dev/null; then
  wrk -t2 -c32 -d"$DURATION" "$URL/search?near=10001&radius=25&insurance=medicaid" > /dev/null
  row "wrk -t2 -c32 -d$DURATION, HTML results"
fi
