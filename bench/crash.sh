#!/usr/bin/env bash
# Crash safety (issue 13): kill -9 `iopfinder crawl` and `iopfinder reindex` at
# random moments while `iopfinder serve` answers from the same data directory,
# all on 127.0.0.1.
#
#   bench/crash.sh [--bin target/release/iopfinder] [--kills 55] [--seed 13] [--national]
#
# Steps: crawl the embedded sample (`--source sample=embedded`; --national: the
# SAMHSA 2023 directory from ../shared/data, a longer crawl) into a fresh data
# directory; start `serve` on it (port chosen by the OS); time one whole crawl
# and one whole reindex; then --kills times, crawl and reindex in turn: start
# it, wait a random delay from 0 to 1.2 times its whole run (seeded), kill -9.
# After each kill:
#   1. the running server still answers /healthz, /search and /api/v1/search
#      with 200;
#   2. listings.json parses (and holds as many listings as before);
#   3. what the kill left is counted (`.*.tmp-PID` and `.*.tmp` files,
#      `index/building-*`, generations beyond CURRENT and the one before it,
#      crawl.lock);
#   4. the next run: a whole crawl succeeds (exit 0), after which no stale
#      temporary, building directory or orphan generation remains, CURRENT
#      names a generation that exists, and the running server switches to it
#      within 5 s;
#   5. a second `serve` starts on the data directory, answers /healthz with
#      CURRENT's generation and /search with 200 (on odd kills before step 4,
#      on even kills after it, so restarts meet what a kill left too).
# Prints each kill's outcome (killed before or after its switch of CURRENT,
# or finished before the kill) and the counts. Exit 1 if any check failed.
# Needs curl and python3. Builds nothing unless --bin is missing.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/iopfinder
KILLS=55
SEED=13
NATIONAL=""
SHARED=${IOP_SHARED_DATA:-../shared/data}
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN=$2; shift 2 ;;
    --kills) KILLS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --national) NATIONAL=1; shift ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -x "$BIN" ] || cargo build --release --workspace || exit 1
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
SOURCE=sample=embedded
if [ -n "$NATIONAL" ]; then
  XLSX=$SHARED/samhsa-national-directory-2023/national-directory-su-facilities-2023.xlsx
  [ -f "$XLSX" ] || { echo "skipped: $XLSX is absent"; exit 0; }
  SOURCE=samhsa-directory=$(cd "$(dirname "$XLSX")" && pwd)/$(basename "$XLSX")
fi
RANDOM=$SEED

WORK=$(mktemp -d "${TMPDIR:-/tmp}/iopfinder-crash.XXXXXX")
DATA=$WORK/data
SERVER="" SECOND="" RUN=""
cleanup() {
  for pid in $RUN $SECOND $SERVER; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
export RUST_LOG=warn

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }

# start serve on DATA: sets the variable named $1 to its pid and STARTED_URL
start_server() {
  local out=$WORK/$1.out pid
  : >"$out"
  "$BIN" serve --data-dir "$DATA" --addr 127.0.0.1:0 >"$out" 2>>"$WORK/$1.err" &
  pid=$!
  printf -v "$1" '%s' "$pid"
  for _ in $(seq 1 600); do
    grep -q 'listening on' "$out" && break
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  STARTED_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$out" | head -1)
  [ -n "$STARTED_URL" ]
}

# a freshly started debug server's first search can take over 10 s on a loaded machine
code() { curl -s -o /dev/null -m 60 -w '%{http_code}' "$1"; }
served_generation() { curl -s -m 10 "$1/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])' 2>/dev/null; }
current() { cat "$DATA/index/CURRENT" 2>/dev/null; }
listing_count() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$DATA/listings.json" 2>/dev/null || echo unreadable; }
# what a kill can leave: temporaries, building directories, orphan generations, the lock
leftovers() {
  local tmp building gens lock
  tmp=$(find "$DATA" -path "$DATA/index/g-*" -prune -o \( -name '*.tmp-*' -o -name '.*.tmp' \) -print | wc -l)
  building=$(find "$DATA/index" -maxdepth 1 -name 'building-*' | wc -l)
  gens=$(find "$DATA/index" -maxdepth 1 -name 'g-*' | wc -l)
  lock=$([ -e "$DATA/crawl.lock" ] && echo 1 || echo 0)
  echo "$tmp $building $gens $lock"
}
crawl() { "$BIN" crawl --data-dir "$DATA" --source "$SOURCE" >>"$WORK/runs.out" 2>>"$WORK/runs.err"; }
reindex() { "$BIN" reindex --data-dir "$DATA" >>"$WORK/runs.out" 2>>"$WORK/runs.err"; }

echo "== binary $BIN; source $SOURCE; load average $(cut -d' ' -f1-3 /proc/loadavg)"
t=$(now); crawl || { echo "the first crawl failed"; tail "$WORK/runs.err"; exit 1; }
echo "   first crawl: $(since "$t" | cut -c1-5) s, $(listing_count) listings"
LISTINGS=$(listing_count)
start_server SERVER || { echo "serve did not start"; exit 1; }
URL=$STARTED_URL
echo "   serve pid $SERVER on $URL"
ZIP=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["address"]["zip"])' "$DATA/listings.json")
t=$(now); crawl || exit 1; T_CRAWL=$(since "$t")
t=$(now); reindex || exit 1; T_REINDEX=$(since "$t")
echo "   a whole crawl: $(echo "$T_CRAWL" | cut -c1-5) s; a whole reindex: $(echo "$T_REINDEX" | cut -c1-5) s"

declare -A COUNT
FAILS=0
fail() { FAILS=$((FAILS + 1)); COUNT["failed: $1"]=$((${COUNT["failed: $1"]:-0} + 1)); echo "   FAILED: $1"; }
count() { COUNT["$1"]=$((${COUNT["$1"]:-0} + 1)); }
restart_check() {
  local url gen
  t=$(now)
  start_server SECOND || { fail "serve restart"; kill "$SECOND" 2>/dev/null; SECOND=""; return; }
  url=$STARTED_URL
  gen=$(served_generation "$url")
  [ "$gen" = "$(current)" ] || fail "restarted serve answers CURRENT's generation ($gen vs $(current))"
  c=$(code "$url/search?near=$ZIP")
  [ "$c" = 200 ] || fail "restarted serve answered /search with $c"
  RESTART_SECS="$RESTART_SECS $(since "$t")"
  kill "$SECOND" && wait "$SECOND" 2>/dev/null
  SECOND=""
}
RESTART_SECS=""
T0=$(now)
LOAD_MIN=99 LOAD_MAX=0
for k in $(seq 1 "$KILLS"); do
  if [ $((k % 2)) = 1 ]; then op=crawl; whole=$T_CRAWL; else op=reindex; whole=$T_REINDEX; fi
  delay=$(echo "scale=3; $whole * 1.2 * $RANDOM / 32767" | bc)
  before=$(current)
  if [ $op = crawl ]; then
    "$BIN" crawl --data-dir "$DATA" --source "$SOURCE" >>"$WORK/runs.out" 2>>"$WORK/runs.err" &
  else
    "$BIN" reindex --data-dir "$DATA" >>"$WORK/runs.out" 2>>"$WORK/runs.err" &
  fi
  RUN=$!
  sleep "$delay"
  kill -9 "$RUN" 2>/dev/null
  wait "$RUN" 2>/dev/null
  rc=$?
  if [ $rc = 137 ]; then
    if [ "$(current)" = "$before" ]; then outcome="killed before its switch"; else outcome="killed after its switch"; fi
  else
    outcome="finished before the kill (exit $rc)"
  fi
  RUN=""
  count "$op $outcome"
  read -r tmp building gens lock < <(leftovers)
  [ "$tmp" -gt 0 ] && count "kills leaving temporary files"
  [ "$building" -gt 0 ] && count "kills leaving index/building-*"
  [ "$gens" -gt 2 ] && count "kills leaving more than 2 generations"
  [ "$lock" = 1 ] && count "kills leaving crawl.lock"
  printf '%2d %-7s after %6.3f s: %-34s left: %s tmp, %s building, %s generations, lock %s\n' \
    "$k" "$op" "$delay" "$outcome" "$tmp" "$building" "$gens" "$lock"
  # 1. the running server
  for path in /healthz "/search?near=$ZIP" "/api/v1/search?near=$ZIP"; do
    c=$(code "$URL$path")
    [ "$c" = 200 ] || fail "running server $path answered $c"
  done
  # 2. the store
  n=$(listing_count)
  [ "$n" = "$LISTINGS" ] || fail "listings.json ($n listings, expected $LISTINGS)"
  # 5 (odd kills): a restart meets what the kill left
  [ $((k % 2)) = 1 ] && restart_check
  # 4. the next run
  crawl || fail "the next crawl (exit $?)"
  read -r tmp building gens lock < <(leftovers)
  [ "$tmp" = 0 ] || fail "stale temporary files after the next crawl: $(find "$DATA" -name '*.tmp*' | head -3)"
  [ "$building" = 0 ] || fail "index/building-* after the next crawl"
  [ "$gens" -le 2 ] || fail "$gens generations after the next crawl"
  [ "$lock" = 0 ] || fail "crawl.lock after the next crawl"
  [ -d "$DATA/index/$(current)" ] || fail "CURRENT names a missing generation"
  switched=""
  for _ in $(seq 1 50); do
    [ "$(served_generation "$URL")" = "$(current)" ] && { switched=1; break; }
    sleep 0.1
  done
  [ -n "$switched" ] || fail "the running server did not switch to CURRENT within 5 s"
  # 5 (even kills)
  [ $((k % 2)) = 0 ] && restart_check
  l=$(cut -d' ' -f1 /proc/loadavg)
  LOAD_MIN=$(echo "if ($l < $LOAD_MIN) $l else $LOAD_MIN" | bc)
  LOAD_MAX=$(echo "if ($l > $LOAD_MAX) $l else $LOAD_MAX" | bc)
done
echo "== $KILLS kills in $(since "$T0" | cut -c1-5) s (load average $LOAD_MIN to $LOAD_MAX)"
for key in "${!COUNT[@]}"; do echo "   ${COUNT[$key]}  $key"; done | sort -k2
echo "   serve restarts: $(echo "$RESTART_SECS" | wc -w), seconds to answer: $(echo "$RESTART_SECS" | tr ' ' '\n' | sort -n | awk 'NF { a[n++] = $1 } END { if (n) printf "median %.2f, max %.2f", a[int(n / 2)], a[n - 1] }')"
kill -0 "$SERVER" 2>/dev/null || fail "the running server died"
PANICS=$(cat "$WORK"/*.err | grep -c panicked)
echo "   panics in stderr: $PANICS; the running server's stderr: $(wc -l <"$WORK/SERVER.err") lines"
[ "$PANICS" = 0 ] || { grep panicked "$WORK"/*.err | head -5; fail "panic"; }
if [ "$FAILS" -gt 0 ]; then
  echo "FAIL: $FAILS failed checks"
  exit 1
fi
echo "PASS: after every kill the served generation answered, listings.json parsed, the next crawl succeeded and left no stale temporaries, serve restarted"
