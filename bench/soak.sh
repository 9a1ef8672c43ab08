#!/usr/bin/env bash
# Soak (issue 13): wrk at 256 connections for 120 s over a mix of pages, API
# answers and bad requests, while 200 more connections never finish a request,
# all on 127.0.0.1.
#
#   bench/soak.sh [--bin target/release/iopfinder] [--duration 120] [--connections 256]
#                 [--threads 2] [--slow 200] [--national]
#
# Steps: a fresh data directory (the embedded sample, which `serve` seeds
# itself from; --national crawls the SAMHSA 2023 directory from ../shared/data
# first); `iopfinder serve` on 127.0.0.1 (port chosen by the OS); a list of
# request paths made from the store (searches near the programs' ZIPs in HTML,
# JSON and Spanish, program pages, compare, shortlist, HSDS lists, the home
# and about pages, a few CSV exports, and a few bad requests answered 4xx),
# each kind checked once with curl; then for --duration seconds at once:
#   - wrk -t THREADS -c CONNECTIONS --timeout 10s -s bench/soak.lua (counts the
#     answers per status class; bench/paths.lua's rotation);
#   - --slow sockets that never finish a request (half of them send half a
#     request head and wait, a quarter send a header byte every 2 s, a quarter
#     send nothing), each reopened as soon as the server closes it, with the
#     time each lived;
#   - every 5 s the server's VmRSS, open file descriptors and the load average.
# After: VmRSS/VmHWM, open descriptors, and /healthz timed three times.
#
# Pass: no 5xx, no connect/read/write errors in wrk (its timeouts are printed),
# the server alive, the never-finished connections closed by the server (its
# header-read timeout, 10 s by default), /healthz 200 within 1 s at the end.
# Needs wrk, curl, python3. Builds nothing unless --bin is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=target/release/iopfinder
DURATION=120
CONNECTIONS=256
THREADS=2
SLOW=200
NATIONAL=""
SHARED=${IOP_SHARED_DATA:-../shared/data}
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --slow) SLOW=$2; shift 2 ;;
    --national) NATIONAL=1; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -x "$BIN" ] || cargo build --release --workspace
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
for tool in wrk curl python3; do
  command -v $tool >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/iopfinder-soak.XXXXXX")
SERVER="" SLOWPID="" SAMPLER=""
cleanup() {
  for pid in $SLOWPID $SAMPLER; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
DATA=$WORK/data

echo "== binary $BIN"
echo "   load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "$NATIONAL" ]; then
  XLSX=$SHARED/samhsa-national-directory-2023/national-directory-su-facilities-2023.xlsx
  [ -f "$XLSX" ] || { echo "skipped: $XLSX is absent"; exit 0; }
  start=$(date +%s.%N)
  RUST_LOG=warn "$BIN" crawl --data-dir "$DATA" --source "samhsa-directory=$XLSX" >/dev/null
  echo "   crawled the 2023 national directory in $(echo "$(date +%s.%N) - $start" | bc) s"
fi

RUST_LOG=warn "$BIN" serve --data-dir "$DATA" --addr 127.0.0.1:0 >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER=$!
for _ in $(seq 1 1800); do
  grep -q 'listening on' "$WORK/server.out" 2>/dev/null && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.err"; exit 1; }
  sleep 0.1
done
URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/server.out" | head -1)
PORT=${URL##*:}
echo "== server pid $SERVER on $URL"

# the request paths, from the store (fixed seed: the same store gives the same list)
python3 - "$DATA/listings.json" "$WORK/paths.txt" "$WORK/kinds.txt" <<'EOF'
import json, random, sys
store = json.load(open(sys.argv[1]))
listings = store["listings"] if isinstance(store, dict) else store
r = random.Random(13)
ids = [l["id"] for l in listings]
zips = sorted({(l.get("address") or {}).get("zip") or l.get("zip") for l in listings} - {None, ""})
r.shuffle(ids); r.shuffle(zips)
paths = []
def add(kind, path, n=1):
    paths.extend([path] * n)
    kinds.setdefault(kind, path)
kinds = {}
for z in zips[:300]:
    add("search", f"/search?near={z}", 3)
    add("api search", f"/api/v1/search?near={z}&radius=50", 2)
    add("es search", f"/es/search?near={z}&insurance=medicaid")
    add("search text", f"/search?near={z}&q=evening+dbt")
for i in ids[:300]:
    add("program", f"/programs/{i}", 2)
    add("api program", f"/api/v1/programs/{i}")
    add("es program", f"/es/programs/{i}")
for k in range(100):
    a = r.sample(ids, 3)
    add("compare", f"/compare?ids={a[0]},{a[1]}")
    add("shortlist", f"/shortlist?ids={','.join(a)}")
    add("hsds", f"/hsds/services?page={k % 10 + 1}")
for k in range(40):
    add("home", "/"); add("es home", "/es/"); add("about", "/about"); add("healthz", "/healthz")
    add("bad radius (400)", "/search?near=95814&radius=abc")
    add("no such program (404)", "/programs/no-such-program")
    add("crafted path (404)", "/es//evil.example")
for z in zips[:30]:
    add("csv export", f"/search.csv?near={z}")
r.shuffle(paths)
open(sys.argv[2], "w").write("\n".join(paths) + "\n")
open(sys.argv[3], "w").write("".join(f"{k}\t{p}\n" for k, p in kinds.items()))
print(f"   {len(paths)} request paths ({len(ids)} listings, {len(zips)} ZIPs)")
EOF
while IFS=$'\t' read -r kind path; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$URL$path")
  printf '   %-24s %s  %s\n' "$kind" "$code" "$path"
  case "$code" in 5*|000) echo "a path of the mix fails: $path" >&2; exit 1 ;; esac
done <"$WORK/kinds.txt"

cat >"$WORK/slow.py" <<'EOF'
# Sockets that never finish a request: reopened as soon as the server closes
# them, for DURATION seconds; prints how long each lived, per mode.
import selectors, socket, statistics, sys, time
port, duration, count = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
HALF = b"GET /search?near=95814 HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: half-open\r\n"
TRICKLE = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 10000
modes = ["half"] * (count // 2) + ["trickle"] * (count // 4)
modes += ["silent"] * (count - len(modes))
sel = selectors.DefaultSelector()
lived = {m: [] for m in set(modes)}
answered = {m: 0 for m in set(modes)}
opened = {m: 0 for m in set(modes)}
errors = 0
end = time.monotonic() + duration
state = {}
def open_one(mode):
    global errors
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.setblocking(False)
        if mode == "half":
            s.send(HALF)
    except OSError:
        errors += 1
        return
    opened[mode] += 1
    state[s] = [mode, time.monotonic(), 0, time.monotonic()]
    sel.register(s, selectors.EVENT_READ)
for m in modes:
    open_one(m)
while time.monotonic() < end:
    for key, _ in sel.select(timeout=0.5):
        s = key.fileobj
        mode, t0, sent, _ = state[s]
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if data:
            answered[mode] += 1  # an answer (408/400) before the close
            continue
        lived[mode].append(time.monotonic() - t0)
        sel.unregister(s); s.close(); del state[s]
        if time.monotonic() < end:
            open_one(mode)
    now = time.monotonic()
    for s, st in list(state.items()):
        if st[0] == "trickle" and now - st[3] >= 2 and st[2] < len(TRICKLE):
            try:
                s.send(TRICKLE[st[2]:st[2] + 1]); st[2] += 1; st[3] = now
            except OSError:
                pass
still = {m: 0 for m in set(modes)}
for s, st in state.items():
    still[st[0]] += 1
    s.close()
for m in sorted(lived):
    l = lived[m]
    desc = f"median {statistics.median(l):.1f} s, max {max(l):.1f} s" if l else "none closed"
    print(f"SLOW mode={m} opened={opened[m]} closed_by_server={len(l)} ({desc}) "
          f"answered_before_close={answered[m]} open_at_end={still[m]}")
print(f"SLOW connect_errors={errors}")
EOF

status() { awk '/^VmRSS|^VmHWM/ { printf "%s %d MiB  ", $1, $2 / 1024 }' "/proc/$SERVER/status"; }
fds() { ls "/proc/$SERVER/fd" | wc -l; }
echo "== before: $(status) open fds $(fds)"
(
  while kill -0 "$SERVER" 2>/dev/null; do
    echo "$(date +%s) $(awk '/^VmRSS/ { print int($2 / 1024) }' /proc/$SERVER/status) $(ls /proc/$SERVER/fd | wc -l) $(cut -d' ' -f1 /proc/loadavg) $(awk '/^Threads/ { print $2 }' /proc/$SERVER/status)"
    sleep 5
  done
) >"$WORK/samples.txt" 2>/dev/null &
SAMPLER=$!
python3 "$WORK/slow.py" "$PORT" "$DURATION" "$SLOW" >"$WORK/slow.txt" &
SLOWPID=$!
echo "== wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --timeout 10s, with $SLOW never-finished connections"
start=$(date +%s.%N)
IOP_PATHS=$WORK/paths.txt wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency \
  -s "$ROOT/bench/soak.lua" "$URL" >"$WORK/wrk.txt" 2>&1 || true
wait "$SLOWPID" || true
SLOWPID=""
kill "$SAMPLER" 2>/dev/null || true
SAMPLER=""
echo "   ran $(echo "$(date +%s.%N) - $start" | bc | cut -c1-6) s"
grep -E 'Latency|Req/Sec|requests in|Socket errors|Non-2xx' "$WORK/wrk.txt" | sed 's/^/   /' || true
LINE=$(grep '^IOPSOAK' "$WORK/wrk.txt" || true)
echo "   $LINE"
sed 's/^/   /' "$WORK/slow.txt"
awk 'BEGIN { r = 0; f = 0; l = 0; lmin = 1e9; t = 0 }
     { if ($2 > r) r = $2; if ($3 > f) f = $3; if ($4 > l) l = $4; if ($4 < lmin) lmin = $4; if ($5 > t) t = $5; n++ }
     END { printf "   during (%d samples every 5 s): server VmRSS peak %d MiB, open fds peak %d, threads peak %d, load average %.1f to %.1f\n", n, r, f, t, lmin, l }' \
  "$WORK/samples.txt"
echo "   VmRSS every 5 s (MiB): $(awk '{ printf "%s ", $2 }' "$WORK/samples.txt")"
echo "   load average every 5 s: $(awk '{ printf "%s ", $4 }' "$WORK/samples.txt")"

ALIVE=yes
kill -0 "$SERVER" 2>/dev/null || ALIVE=no
echo "== after: alive $ALIVE; $( [ $ALIVE = yes ] && status) open fds $( [ $ALIVE = yes ] && fds)"
HEALTH_OK=yes
for k in 1 2 3; do
  out=$(curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}' "$URL/healthz" || echo "000 5")
  echo "   /healthz: $out s"
  code=${out%% *}; secs=${out##* }
  [ "$code" = 200 ] && awk -v s="$secs" 'BEGIN { exit !(s < 1) }' || HEALTH_OK=no
done
PANICS=$(grep -c panicked "$WORK/server.err" || true)
echo "   panics in the server's stderr: $PANICS; stderr lines: $(wc -l <"$WORK/server.err")"

get() { echo "$LINE" | grep -o "$1=[0-9]*" | cut -d= -f2; }
FAIL=""
[ -n "$LINE" ] || FAIL="$FAIL no-wrk-summary"
[ "$(get s5xx)" = 0 ] || FAIL="$FAIL 5xx"
[ "$(get connect_errors)" = 0 ] || FAIL="$FAIL connect-errors"
[ "$(get read_errors)" = 0 ] || FAIL="$FAIL read-errors"
[ "$(get write_errors)" = 0 ] || FAIL="$FAIL write-errors"
[ "$ALIVE" = yes ] || FAIL="$FAIL server-died"
[ "$HEALTH_OK" = yes ] || FAIL="$FAIL healthz"
[ "$PANICS" = 0 ] || FAIL="$FAIL panic"
grep -q 'closed_by_server=0 ' "$WORK/slow.txt" && FAIL="$FAIL slow-connections-never-closed"
if [ -n "$FAIL" ]; then
  echo "FAIL:$FAIL"
  exit 1
fi
echo "PASS: no 5xx, no socket errors, never-finished connections closed, /healthz answers"
