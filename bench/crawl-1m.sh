#!/usr/bin/env bash
# A crawl of a million listings into a data directory that already holds a
# million: peak memory (/usr/bin/time -v's maximum resident set, and VmHWM)
# and time of each step. See examples/crawl_1m.rs and BENCHMARKS.md "Memory".
#
#   bench/crawl-1m.sh                      # 1,000,000 listings, the merge
#   bench/crawl-1m.sh --count 100000       # fewer
#   bench/crawl-1m.sh --in-memory          # ... and the crawl as before the merge
#   bench/crawl-1m.sh --keep               # keep the data directory
#
# Needs SAMHSA's 2023 national directory at ../shared/data (or
# $IOP_SHARED_DATA) to copy programs from. Writes about 3 GB per million
# listings under ${TMPDIR:-/tmp}.
set -euo pipefail
cd "$(dirname "$0")/.."

count=1000000
in_memory=0
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    --in-memory) in_memory=1; shift ;;
    --keep) keep=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

cargo build --release --workspace --examples >&2
bin=target/release/examples/crawl_1m
dir=$(mktemp -d "${TMPDIR:-/tmp}/iopfinder-crawl-1m.XXXXXX")
if [ "$keep" = 0 ]; then trap 'rm -rf "$dir"' EXIT; fi

step() {
  local label="$1"; shift
  local log="$dir/time.log"
  /usr/bin/time -v "$bin" "$@" --count "$count" --data-dir "$dir/data" 2>"$log" | sed "s/^/  /"
  printf '%s: %s s wall, max RSS %s MiB\n' "$label" \
    "$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")" \
    "$(awk -F': ' '/Maximum resident set size/ {print int($2 / 1024)}' "$log")"
}

echo "$count listings, data directory $dir/data"
step "write the store" store
step "first crawl (no crawl state yet, store not in id order)" crawl
step "second crawl (state of $count listings, store in id order)" crawl
if [ "$in_memory" = 1 ]; then
  step "third crawl, in memory as before the merge" crawl --in-memory
fi
ls -l "$dir/data" | sed "s/^/  /"
