#!/usr/bin/env bash
# Export flood (issue 13): ordinary searches per second alone, then while 32
# clients ask for /search.csv without pause, on the real national directory
# (SAMHSA 2023 substance use workbook), all on 127.0.0.1.
#
#   bench/export-flood.sh [--bin target/release/iopfinder] [--duration 15s]
#
# Steps: crawl the directory into a fresh data directory; `iopfinder serve`
# on 127.0.0.1 (port chosen by the OS); wrk -t1 -c8 on /search?near=ZIP
# (ZIPs of real programs, bench/paths.lua) alone; then the same wrk while a
# second wrk -t1 -c32 asks for /search.csv?near=ZIP&radius=100 (every
# program within 100 miles), counting the exports served (200) and refused
# (429, beyond the cap of concurrent exports). Needs wrk and curl.
#
# wrk and the server share the machine's cores: on 2 cores the numbers are
# what the server does with what wrk leaves it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/iopfinder
DURATION=15s
SHARED=${IOP_SHARED_DATA:-../shared/data}
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
XLSX=$SHARED/samhsa-national-directory-2023/national-directory-su-facilities-2023.xlsx
[ -f "$XLSX" ] || { echo "skipped: $XLSX is absent"; exit 0; }
[ -x "$BIN" ] || cargo build --release --workspace
command -v wrk >/dev/null || { echo "wrk is needed" >&2; exit 1; }
WORK=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT

RUST_LOG=warn "$BIN" crawl --data-dir "$WORK/data" --source "samhsa-directory=$XLSX" >/dev/null
"$BIN" export --data-dir "$WORK/data" | grep -o '"zip": *"[0-9]\{5\}"' | grep -o '[0-9]\{5\}' \
  | sort -u | awk 'BEGIN { srand(13) } { printf "%.9f\t%s\n", rand(), $0 }' | sort -n | cut -f2 \
  > "$WORK/zips.txt"
sed 's|^|/search?radius=25\&near=|' "$WORK/zips.txt" > "$WORK/search.txt"
sed 's|^|/search.csv?radius=100\&near=|' "$WORK/zips.txt" > "$WORK/export.txt"

RUST_LOG=warn "$BIN" serve --data-dir "$WORK/data" --addr 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER=$!
URL=""
for _ in $(seq 600); do
  URL=$(sed -n 's/^listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$WORK/serve.out" | head -1)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { cat "$WORK/serve.err" >&2; exit 1; }
echo "export of one search: $(curl -s -o /dev/null -w '%{http_code}, %{size_download} bytes, %{time_total} s' "$URL$(head -1 "$WORK/export.txt")")"

searches() { IOP_PATHS=$WORK/search.txt wrk -t1 -c8 -d"$DURATION" -s bench/paths.lua "$URL"; }
rate() { sed -n 's/^Requests\/sec: *//p' "$1"; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
searches >"$WORK/alone.txt"
echo "searches alone:              $(rate "$WORK/alone.txt") req/s"
IOP_PATHS=$WORK/export.txt wrk -t1 -c32 -d"$DURATION" -s bench/paths.lua "$URL" >"$WORK/flood.txt" &
FLOOD=$!
sleep 1
searches >"$WORK/during.txt"
wait "$FLOOD"
exports=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$WORK/flood.txt")
refused=$(sed -n 's/^ *Non-2xx or 3xx responses: *//p' "$WORK/flood.txt")
echo "searches during the flood:   $(rate "$WORK/during.txt") req/s ($(grep -c . "$WORK/during.txt" >/dev/null; sed -n 's/^ *Non-2xx or 3xx responses: *//p' "$WORK/during.txt" | grep . || echo 0) not 200)"
echo "exports asked by 32 clients: $exports ($(rate "$WORK/flood.txt") req/s), ${refused:-0} refused with 429"
echo "server peak RSS: $(awk '/^VmHWM:/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$SERVER/status")"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
