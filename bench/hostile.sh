#!/usr/bin/env bash
# Hostile input stays bounded (issue 13): time and peak memory of the crawler
# on hostile pages and data files, all on 127.0.0.1.
#
#   bench/hostile.sh [--bin target/release/iopfinder]
#
# 1. `iopfinder extract FILE` on pages of 16,000 / 64,000 / 500,000 nested
#    <div> and the 82 KB page of 5,500 nested <table><tr><td>: wall time,
#    peak RSS (GNU time) and the answer (an error of the page, exit 1).
# 2. `iopfinder crawl --source samhsa-directory=URL` against a local Python
#    server sending a 2 GiB body, a gzip bomb (300 MiB of zeros in about
#    300 KB), a 100 MiB directory within the cap (1.4 million facility rows,
#    8,000 of them coded OIT), the same with every row coded OIT, and the
#    real 2022 directory (../shared/data, when present): wall time, peak RSS
#    (VmHWM, as GNU time's %M), and the report's error or listing count.
#
#   bench/hostile.sh --data-files   # only part 2 (FILES="big.csv bomb.csv" for some)
#
# Needs python3 and GNU time (/usr/bin/time). Builds nothing unless --bin is
# missing (then `cargo build --release`).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/iopfinder
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN=$2; shift 2 ;;
    --data-files) DATA_ONLY=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$BIN" ] || cargo build --release
WORK=$(mktemp -d)
trap 'kill "${SERVER:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" && status=0 || status=$?
  read -r secs kb < <(tail -1 "$WORK/time")
  printf '%-34s %8s s %8s MB  exit %s  %s\n' "$label" "$secs" "$((kb / 1024))" "$status" \
    "$(grep -ho 'nested deeper[^"]*\|more than [0-9]* nodes[^"]*\|body larger than [0-9]* bytes\|more than [0-9]* rows\|[0-9]* intensive outpatient' "$WORK/out" "$WORK/err" | head -1)"
}

if [ -z "${DATA_ONLY:-}" ]; then
echo "== pages (iopfinder extract FILE)"
for depth in 16000 64000 500000; do
  python3 -c "import sys; sys.stdout.write('<html><body>' + '<div>' * $depth + '<p>We offer an intensive outpatient program.</p></body></html>')" >"$WORK/divs-$depth.html"
  measure "$depth nested <div>" "$BIN" extract "$WORK/divs-$depth.html"
done
python3 -c "import sys; sys.stdout.write('<html><body>' + '<table><tr><td>' * 5500 + '<p>We offer an intensive outpatient program.</p></body></html>')" >"$WORK/tables.html"
measure "5,500 nested <table><tr><td> (82 KB)" "$BIN" extract "$WORK/tables.html"
python3 -c "import sys; sys.stdout.write('<html><body>' + '<div>' * 500 + '<p>We offer an intensive outpatient program.</p></body></html>')" >"$WORK/divs-500.html"
measure "500 nested <div> (within budget)" "$BIN" extract "$WORK/divs-500.html"
fi

echo "== data files (iopfinder crawl --source samhsa-directory=URL)"
cat >"$WORK/server.py" <<'EOF'
import gzip, http.server, io, sys
GIB2 = 2 * 1024 ** 3
buf = io.BytesIO()
with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as z:
    block = b"0" * (1024 * 1024)
    for _ in range(300):
        z.write(block)
BOMB = buf.getvalue()
HEADER = b"name1,name2,street1,street2,city,state,zip,phone,intake1,intake2,intake1a,intake2a,service_code_info\n"
def directory(rows, every):
    """A National Directory CSV of `rows` facilities, one in `every` coded OIT."""
    yield HEADER
    for start in range(0, rows, 10000):
        yield b"".join(
            b"Clinic %d,,%d Main St,,Denver,CO,80202,303-555-0100,,,,,SA * OP%s * MD\n"
            % (i, i, b" OIT" if i % every == 0 else b"")
            for i in range(start, min(rows, start + 10000)))
SHARED = sys.argv[1] if len(sys.argv) > 1 else ""
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path == "/robots.txt":
            self.send_response(404); self.end_headers(); return
        if self.path.startswith("/big"):
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            chunk = b"a," * 32768
            sent = 0
            try:
                while sent < GIB2:
                    self.wfile.write(chunk); sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if self.path.startswith("/padded") or self.path.startswith("/all-iop"):
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            every = 175 if self.path.startswith("/padded") else 1
            try:
                for part in directory(1_400_000, every):
                    self.wfile.write(part)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if self.path.startswith("/real/") and SHARED:
            try:
                body = open(SHARED + "/" + self.path[len("/real/"):], "rb").read()
            except OSError:
                self.send_response(404); self.end_headers(); return
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body); return
        if self.path.startswith("/bomb"):
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(BOMB)))
            self.end_headers()
            self.wfile.write(BOMB); return
        self.send_response(404); self.end_headers()
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.serve_forever()
EOF
SHARED=../shared/data/samhsa-national-directory-2022
python3 "$WORK/server.py" "$([ -d "$SHARED" ] && cd "$SHARED" && pwd)" >"$WORK/port" &
SERVER=$!
for _ in $(seq 600); do [ -s "$WORK/port" ] && break; sleep 0.2; done
[ -s "$WORK/port" ] || { echo "the test server did not start" >&2; exit 1; }
PORT=$(cat "$WORK/port")
for file in ${FILES:-big.csv bomb.csv padded.csv all-iop.csv real/su_2022_facilities.csv}; do
  rm -rf "$WORK/data"
  measure "$file" "$BIN" crawl --data-dir "$WORK/data" --allow-address 127.0.0.1 \
    --source "samhsa-directory=http://127.0.0.1:$PORT/$file" --source sample=embedded
done
