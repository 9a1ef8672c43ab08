#!/usr/bin/env bash
# HTTP benchmark of IOP Finder under wrk: the HTML results page and the JSON API,
# on the real national directory (default) or a synthetic directory of N programs.
#
#   bench/http.sh                      # national directory (SAMHSA 2023)
#   bench/http.sh --count 1000000      # synthetic directory (examples/synthetic_directory.rs)
#   bench/http.sh --data-dir DIR       # serve an existing data directory (e.g. one kept by --keep)
#
# Options: --count N, --data-dir DIR, --duration 20s, --connections 32, --threads 2,
#          --shared DIR (default ../shared/data), --keep (keep the data directories),
#          --bin PATH (serve with this build of iopfinder instead of building one).
#
# Steps: install wrk with apt-get when missing; cargo build --release; crawl the
# national directory into a fresh data directory (and publish the synthetic one
# for --count); start `iopfinder serve` on 127.0.0.1 (port chosen by the OS);
# check every request path answers 200; run wrk per scenario (request paths
# rotate over the ZIPs of real programs, see bench/paths.lua); read the server's
# VmRSS and VmHWM after each run; stop the server; print a summary table.
# Everything is on 127.0.0.1; every run is bounded by --duration.
#
# wrk and the server share the machine's cores: on 2 cores the numbers are what
# the server does with what wrk leaves it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

COUNT=""
EXISTING=""
DURATION=20s
CONNECTIONS=32
THREADS=2
SHARED=${IOP_SHARED_DATA:-../shared/data}
KEEP=""
BIN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT=$2; shift 2 ;;
    --data-dir) EXISTING=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --shared) SHARED=$2; shift 2 ;;
    --bin) BIN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

CSV=$SHARED/samhsa-national-directory-2023/national-directory-su-facilities-2023.xlsx
if [ ! -f "$CSV" ]; then
  echo "skipped: $CSV is absent (the national directory lives in ../shared/data)"
  exit 0
fi
CSV=$(cd "$(dirname "$CSV")" && pwd)/$(basename "$CSV")

echo "== tools"
if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
command -v wrk
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }

echo "== build"
if [ -z "$BIN" ]; then
  cargo build --release --workspace --quiet
  BIN=$ROOT/target/release/iopfinder
fi
if [ -n "$COUNT" ]; then
  cargo build --release --workspace --quiet --example synthetic_directory
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/iopfinder-http-bench.XXXXXX")
SERVER=""
cleanup() {
  if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
  fi
  if [ -z "$KEEP" ]; then
    rm -rf "$WORK"
  else
    echo "kept $WORK"
  fi
}
trap cleanup EXIT

echo "== data"
# The national directory is always crawled: the request ZIPs come from it.
RUST_LOG=warn "$BIN" crawl --data-dir "$WORK/national" --source "samhsa-directory=$CSV"
if [ -n "$EXISTING" ]; then
  DATA=$(cd "$EXISTING" && pwd)
  LABEL="$(basename "$DATA") ($(sed -n 's/.*"listings": *\([0-9]*\).*/\1/p' \
    "$DATA/index/$(cat "$DATA/index/CURRENT")/generation.json" | head -1) listings)"
elif [ -n "$COUNT" ]; then
  DATA=$WORK/synthetic-$COUNT
  RUST_LOG=warn "$ROOT/target/release/examples/synthetic_directory" \
    --count "$COUNT" --data-dir "$DATA" --shared "$SHARED"
  LABEL="synthetic $COUNT"
else
  DATA=$WORK/national
  LABEL="national"
fi

# One ZIP per real program (so places follow where programs are), in a fixed
# shuffled order.
"$BIN" export --data-dir "$WORK/national" \
  | grep -o '"zip": *"[0-9]\{5\}"' | grep -o '[0-9]\{5\}' \
  | awk 'BEGIN { srand(2022) } { printf "%.9f\t%s\n", rand(), $0 }' | sort -n | cut -f2 \
  > "$WORK/zips.txt"

# Request paths per scenario. Facets: 1 or 2 common values from different groups.
make_paths() { # prefix with_facets
  awk -v prefix="$1" -v facets="$2" 'BEGIN {
      srand(4);
      n = split("insurance=medicaid insurance=private insurance=medicare modality=cbt modality=dbt " \
                "age=adults age=adolescents focus=co-occurring language=spanish population=veterans", pool, " ")
    }
    {
      path = prefix "?near=" $0 "&radius=25"
      if (facets) {
        k = 1 + int(rand() * 2); used = ""
        for (j = 0; j < k; j++) {
          pick = pool[1 + int(rand() * n)]; split(pick, kv, "=")
          if (index(used, "|" kv[1] "|")) continue
          used = used "|" kv[1] "|"; path = path "&" pick
        }
      }
      print path
    }' "$WORK/zips.txt"
}
make_paths /search "" > "$WORK/html.txt"
make_paths /search 1 > "$WORK/html-facets.txt"
make_paths /api/v1/search "" > "$WORK/api.txt"
make_paths /api/v1/search 1 > "$WORK/api-facets.txt"

echo "== serve $LABEL"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date +%s.%N)
RUST_LOG=warn "$BIN" serve --data-dir "$DATA" --addr 127.0.0.1:0 \
  > "$WORK/serve.out" 2> "$WORK/serve.err" &
SERVER=$!
URL=""
for _ in $(seq 1 6000); do # up to 10 minutes (a big index takes a while to open)
  URL=$(sed -n 's/^listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$WORK/serve.out" | head -1)
  [ -n "$URL" ] && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/serve.err" >&2; echo "server exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$URL" ] || { echo "server did not start" >&2; exit 1; }
READY=$(date +%s.%N)
echo "$URL after $(awk -v a="$STARTED" -v b="$READY" 'BEGIN { printf "%.1f", b - a }') s"

memory() { # "VmRSS VmHWM RssAnon" of the server, MiB (RssAnon: heap; the rest of
  # VmRSS is mostly the index files mapped in)
  awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } /^RssAnon:/ { a = $2 }
    END { printf "%.0f %.0f %.0f\n", r / 1024, h / 1024, a / 1024 }' "/proc/$SERVER/status"
}
read -r IDLE_RSS IDLE_HWM IDLE_ANON < <(memory)
echo "server memory after start: VmRSS $IDLE_RSS MiB (anonymous $IDLE_ANON MiB), VmHWM $IDLE_HWM MiB"

# Every path of every scenario must answer 200 (a 400 would be timed as fast
# errors): one curl process over all of them, on one connection.
echo "== check request paths"
for scenario in html html-facets api api-facets; do
  sed -e "s|^|url = \"$URL|" -e 's|$|"\noutput = "/dev/null"|' "$WORK/$scenario.txt" \
    > "$WORK/$scenario.curl"
  bad=$(curl -s -K "$WORK/$scenario.curl" -w '%{http_code}\n' | grep -vc '^200$' || true)
  echo "$scenario: $(wc -l < "$WORK/$scenario.txt") paths, $bad not 200"
  if [ "$bad" != "0" ]; then
    echo "some paths do not answer 200; first of them:" >&2
    curl -s -K "$WORK/$scenario.curl" -w '%{http_code} %{url_effective}\n' | grep -v '^200 ' | head -3 >&2
    exit 1
  fi
done

run() { # name paths_file [wrk options]
  local name=$1 paths=$2
  shift 2
  echo "== wrk $name: -t$THREADS -c$CONNECTIONS -d$DURATION $*"
  IOP_PATHS=$paths wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
    -s bench/paths.lua "$@" "$URL" | tee "$WORK/wrk-$name.txt"
  local line
  line=$(grep '^IOPBENCH' "$WORK/wrk-$name.txt")
  read -r rss hwm anon < <(memory)
  echo "server memory: VmRSS $rss MiB (anonymous $anon MiB), VmHWM $hwm MiB"
  SUMMARY+=("$name $line rss=$rss hwm=$hwm anon=$anon")
}

SUMMARY=()
# warm up (not reported)
IOP_PATHS=$WORK/html.txt wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s bench/paths.lua "$URL" > /dev/null
run html "$WORK/html.txt"
run html-facets "$WORK/html-facets.txt"
run html-gzip "$WORK/html.txt" -H "Accept-Encoding: gzip"
run api "$WORK/api.txt"
run api-facets "$WORK/api-facets.txt"

echo
echo "== summary: $LABEL, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $(nproc) cores shared by wrk and the server"
echo "load average before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg) (wrk + server alone make about 2)"
echo "server start (open the index): $(awk -v a="$STARTED" -v b="$READY" 'BEGIN { printf "%.1f", b - a }') s; memory after start: VmRSS $IDLE_RSS MiB (anonymous $IDLE_ANON MiB), VmHWM $IDLE_HWM MiB"
echo
echo "| scenario | requests/s | p50 ms | p90 ms | p99 ms | max ms | KiB/response | non-2xx + errors | VmRSS MiB | of it anonymous | VmHWM MiB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for entry in "${SUMMARY[@]}"; do
  echo "$entry" | awk '{
    name = $1
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    errors = v["non2xx"] + v["connect_errors"] + v["read_errors"] + v["write_errors"] + v["timeouts"]
    printf "| %s | %.0f | %.2f | %.2f | %.2f | %.1f | %.1f | %d | %s | %s | %s |\n", name, v["rps"], v["p50_ms"],
      v["p90_ms"], v["p99_ms"], v["max_ms"], v["bytes"] / v["requests"] / 1024, errors, v["rss"], v["anon"], v["hwm"]
  }'
done
