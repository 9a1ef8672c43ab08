#!/usr/bin/env python3
"""Fuzz the server with malformed and hostile requests (issue 13), on 127.0.0.1.

  bench/fuzz.py [--bin target/release/iopfinder] [--requests 36000] [--workers 4] [--seed 13] [--max-seconds S]

Starts `iopfinder serve` on a fresh temporary data directory (which seeds itself
from the embedded sample directory) on 127.0.0.1 (port chosen by the OS), then
sends --requests requests, each built from the seed (the same seed sends the
same requests), over raw keep-alive sockets from --workers processes:

- search parameters (known, unknown, repeated, empty, huge, unicode, NUL,
  invalid UTF-8, bad percent-encoding, markup, "//evil.example") on /search,
  /api/v1/search, /search.csv and their /es/ pages;
- /compare, /shortlist, /shortlist/print, /shortlist.csv with bad ids lists;
- /programs/{id} (and /api/v1/programs/{id}, /es/) with made-up and mangled ids;
- /hsds/* lists and items with bad parameters and ids;
- crafted paths (`//evil.example`, `/es//x`, `/es/\\x`, `..`, percent errors,
  raw NUL and invalid bytes, absolute-form and `*` targets, 300 KB paths);
- bad methods (PUT, DELETE, TRACE, CONNECT, lower case, made-up, NUL) and HEAD;
- "report a problem" posts with bad bodies, content types, cross-site origins,
  chunked and short bodies (the per-client limiter answers most with 429);
- odd headers (huge, many, garbage Accept-Language, Range, conditionals, a
  spoofed Host, Transfer-Encoding on GET).

Pass: no 5xx, the server never dies (nor logs a panic), every request gets an
answer (or the connection is closed for a request that is not HTTP), every 4xx
HTML page is a whole, balanced document with a title and every 4xx JSON parses
with an "error", and no page (any status) links off-site: every href, src,
action, og:url and Location is a path on this site, a fragment, mailto:/tel:,
or an absolute URL to a host the site links to for its own reasons (program
websites in the store, hosts seen on ordinary pages). Requests with a spoofed
Host header are counted apart: without IOPFINDER_PUBLIC_URL (README, "The
data directory") the server takes its public base URL from Host, so their
absolute canonical links name that host by design.

Prints counts per status, per kind of request, per content type of the 4xx,
the failures (first 40) and the server's VmRSS/VmHWM; exits 1 on a failure.
Needs only python3.
"""

import argparse
import collections
import html
import html.parser
import json
import multiprocessing
import os
import random
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMEOUT = 30.0  # seconds for one answer (the machine is shared)

# --------------------------------------------------------------------------
# A minimal HTTP/1.1 client over a raw socket: sends bytes as given (so the
# request line can hold anything) and reads one answer.


class Closed(Exception):
    """The server closed the connection before answering."""


class Conn:
    def __init__(self, port):
        self.port = port
        self.sock = None
        self.buf = b""
        self.used = False

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.buf = b""
        self.used = False

    def connect(self):
        self.close()
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise Closed()
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            if len(self.buf) > 1 << 20:
                raise ValueError("header line over 1 MiB")
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def exchange(self, raw, head=False):
        """Send `raw`; return (status, headers {lower: [values]}, body)."""
        for attempt in (0, 1):
            fresh = self.sock is None or not self.used
            if self.sock is None:
                self.connect()
            try:
                self.sock.sendall(raw)
                self.used = True
                return self._read(head)
            except (Closed, ConnectionResetError, BrokenPipeError) as e:
                self.close()
                # a kept-alive connection the server closed meanwhile: retry once
                if fresh or attempt == 1:
                    raise Closed() from e

    def _read(self, head):
        while True:
            status_line = self._line()
            parts = status_line.split(b" ", 2)
            if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
                raise ValueError(f"bad status line {status_line[:80]!r}")
            status = int(parts[1])
            headers = collections.defaultdict(list)
            while True:
                line = self._line()
                if not line:
                    break
                name, _, value = line.partition(b":")
                headers[name.strip().lower().decode("latin-1")].append(
                    value.strip().decode("latin-1")
                )
            if 100 <= status < 200:
                continue
            break
        te = ",".join(headers.get("transfer-encoding", [])).lower()
        if head or status in (204, 304):
            body = b""
        elif "chunked" in te:
            parts = []
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line():
                        pass
                    break
                parts.append(self._exact(size))
                self._exact(2)
            body = b"".join(parts)
        elif "content-length" in headers:
            body = self._exact(int(headers["content-length"][0]))
        else:
            # until the server closes
            try:
                while True:
                    self._fill()
            except Closed:
                pass
            body, self.buf = self.buf, b""
            self.close()
        conn_hdr = ",".join(headers.get("connection", [])).lower()
        if "close" in conn_hdr:
            self.close()
        return status, dict(headers), body


# --------------------------------------------------------------------------
# Request generation: every request is a pure function of (seed, number).

EVIL = "evil.example"

EDGE = [
    "", " ", "0", "-1", "1", "2", "00000", "01", "1e309", "-0", "NaN", "nan", "inf", "-inf",
    "0x10", "1_000", "1.5", "0.0001", "500", "501", "99999999999999999999999",
    "18446744073709551616", "-9223372036854775809", "95814", "95814-1234", "00000",
    "99999", "Sacramento, CA", "Sacramento,CA", "sacramento ca", "New York, NY", "DC",
    "ñandú", "東京", "😀", "😀" * 50, "\u202eevil", "e\u0301", "\ufeff95814", "\u0000",
    "\x01\x02", "<script>alert(1)</script>", "\"'><img src=x onerror=alert(1)>",
    "//" + EVIL, "https://" + EVIL + "/", "http://" + EVIL, "\\\\" + EVIL, "/\\" + EVIL,
    "javascript:alert(1)", "data:text/html,<b>x</b>", "../../etc/passwd", "..%2f..%2f",
    "' OR 1=1 --", "*", "?", "&", "=", "#frag", "\r\nSet-Cookie: x=1", "%", "%%", "%G1",
    "%E2%82", "%FF%FE", "%C0%AF", "+", "%2B", "%20", "null", "true", "false", "[]", "{}",
    "1,2,3", "a,b,,c", "name", "distance", "relevance", "best", "medicaid", "medicare",
    "dbt", "cbt", "teens", "evening", "DBT evening", "AND OR NOT", "\"unclosed", "title:x",
    "field:(a OR b)", "a~2", "a^10", "[a TO z]", "*:*", "\t", "\n",
]

GROUPS = []  # facet group slugs, from index/vocabulary.toml
VALUES = []  # facet value slugs
IDS = []  # listing ids of the store
HSDS_IDS = []  # ids seen on /hsds lists (filled by the parent before forking)


def load_vocabulary():
    with open(os.path.join(ROOT, "index", "vocabulary.toml"), "rb") as f:
        vocab = tomllib.load(f)
    for group in vocab.get("group", []):
        GROUPS.append(group["slug"])
        for value in group.get("value", []):
            VALUES.append(value["slug"])


def rand_text(r):
    kind = r.random()
    if kind < 0.3:
        return r.choice(EDGE)
    if kind < 0.45:
        return r.choice(VALUES) if VALUES else "medicaid"
    if kind < 0.55:
        return "".join(chr(r.randint(1, 0x2FFF)) for _ in range(r.randint(1, 40)))
    if kind < 0.65:
        return "".join(r.choice("abc123 ,.-_~!$'()*+;:@/?") for _ in range(r.randint(1, 30)))
    if kind < 0.7:
        return r.choice("aé😀%0") * r.choice([200, 1000, 5000, 20000])
    if kind < 0.72:
        return "x" * r.choice([100_000, 300_000])  # huge: 414/431 or a 400
    if kind < 0.85:
        return str(r.choice([r.randint(-10, 600), r.random() * 1000, -r.random(), 10 ** r.randint(3, 40)]))
    return r.choice(EDGE) + r.choice(EDGE)


def enc(r, text):
    """Encode a query part: mostly percent-encoded, sometimes raw bytes."""
    mode = r.random()
    if mode < 0.7:
        return urllib.parse.quote(text, safe="").encode()
    if mode < 0.8:
        return urllib.parse.quote_plus(text, safe="%").encode()  # keep % errors as written
    if mode < 0.9:
        return text.encode("utf-8", "surrogatepass")  # raw (spaces, NUL, UTF-8)
    # invalid UTF-8 once decoded, or raw invalid bytes
    return r.choice([b"%FF", b"%C3%28", b"%ED%A0%80", b"\xff\xfe", b"\xc3", b"%00", b"\x00"]) + urllib.parse.quote(text, safe="").encode()


def query(r, keys, n=None):
    if n is None:
        n = r.choice([0, 1, 1, 2, 2, 3, 4, 6, 8])
        if r.random() < 0.03:
            n = r.choice([100, 500, 2000])
    parts = []
    for _ in range(n):
        key = r.choice(keys) if r.random() < 0.75 else rand_text(r)
        value = rand_text(r)
        part = enc(r, key) + (b"" if r.random() < 0.05 else b"=" + enc(r, value))
        times = 1 if r.random() < 0.85 else r.choice([2, 3, 50])
        parts.extend([part] * times)
    sep = b"&" if r.random() < 0.95 else r.choice([b";", b"&&", b"&=&"])
    return sep.join(parts)


SEARCH_KEYS = ["near", "radius", "q", "sort", "page", "per_page", "lang", "format", "lat", "lon"]


def get(path, qs=b"", method=b"GET", headers=(), version=b"HTTP/1.1"):
    target = path if not qs else path + b"?" + qs
    return request(method, target, headers, b"", version)


def request(method, target, headers=(), body=b"", version=b"HTTP/1.1", host=None):
    lines = [method + b" " + target + b" " + version]
    names = {h.split(b":", 1)[0].lower() for h in headers}
    if b"host" not in names and host is None:
        lines.append(b"Host: 127.0.0.1")
    elif host is not None:
        lines.append(b"Host: " + host)
    lines.extend(headers)
    if body and b"content-length" not in names and b"transfer-encoding" not in names:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def es(r, path):
    return (b"/es" + path) if r.random() < 0.3 else path


def case_search(r):
    path = r.choice([b"/search", b"/search", b"/api/v1/search", b"/api/v1/search", b"/search.csv", b"/"])
    if path != b"/api/v1/search":
        path = es(r, path)
    keys = SEARCH_KEYS + GROUPS
    return "search", get(path, query(r, keys))


def id_list(r):
    n = r.choice([0, 1, 2, 3, 4, 5, 6, 10, 60, 500])
    items = []
    for _ in range(n):
        x = r.random()
        if x < 0.5 and IDS:
            items.append(r.choice(IDS))
        elif x < 0.6 and IDS:
            items.append(r.choice(IDS).upper())
        elif x < 0.7 and IDS:
            items.append(r.choice(IDS)[: r.randint(0, 8)])
        else:
            items.append(rand_text(r))
    sep = r.choice([",", ",", " ", "+", ";", ",,", "%2C"])
    return sep.join(items)


def case_shortlist(r):
    path = es(r, r.choice([b"/compare", b"/shortlist", b"/shortlist/print", b"/shortlist.csv"]))
    parts = []
    for _ in range(r.choice([0, 1, 1, 2, 3])):
        key = r.choice(["ids", "ids", "near", "near", "q", rand_text(r)])
        value = id_list(r) if key == "ids" else rand_text(r)
        parts.append(enc(r, key) + b"=" + (value.encode("utf-8", "surrogatepass") if r.random() < 0.5 and "%" not in value and " " not in value else enc(r, value)))
    return "shortlist", get(path, b"&".join(parts))


def seg(r):
    x = r.random()
    if x < 0.4 and IDS:
        return urllib.parse.quote(r.choice(IDS)).encode()
    if x < 0.5 and IDS:
        return urllib.parse.quote(r.choice(IDS) + rand_text(r)[:20], safe="").encode()
    return enc(r, rand_text(r)) or b"x"


def case_program(r):
    base = r.choice([b"/programs/", b"/programs/", b"/api/v1/programs/", b"/es/programs/"])
    tail = r.choice([b"", b"", b"", b"/report", b"/report/thanks", b"/", b"/x", b"/../../static/x"])
    qs = query(r, ["near", "from", "lang", "q", "ids"]) if r.random() < 0.4 else b""
    return "program", get(base + seg(r) + tail, qs)


HSDS_LISTS = ["services", "organizations", "service_at_locations", "taxonomies", "taxonomy_terms"]
HSDS_KEYS = ["search", "page", "per_page", "full", "full_service", "format", "taxonomy_term_id",
             "taxonomy_id", "organization_id", "modified_after", "postcode", "proximity",
             "minimal", "top_only", "parent_id"]


def case_hsds(r):
    name = r.choice(HSDS_LISTS).encode()
    if r.random() < 0.5:
        path = b"/hsds/" + name
    elif r.random() < 0.6 and HSDS_IDS:
        path = b"/hsds/" + name + b"/" + urllib.parse.quote(r.choice(HSDS_IDS) + (rand_text(r)[:10] if r.random() < 0.3 else "")).encode()
    else:
        path = b"/hsds/" + name + b"/" + seg(r)
    if r.random() < 0.05:
        path = r.choice([b"/hsds", b"/hsds/", b"/hsds//", b"/hsds/../hsds", b"/hsds/%2e%2e/x"])
    return "hsds", get(path, query(r, HSDS_KEYS))


CRAFTED = [
    b"//" + EVIL.encode(), b"//" + EVIL.encode() + b"/search?near=95814", b"/es//" + EVIL.encode(),
    b"/es//" + EVIL.encode() + b"/search?near=95814", b"/es/\\" + EVIL.encode(), b"/\\" + EVIL.encode(),
    b"/es/%2F%2F" + EVIL.encode(), b"/%2F%2F" + EVIL.encode(), b"/es/%5C" + EVIL.encode(),
    b"///" + EVIL.encode(), b"/es///" + EVIL.encode(), b"/es", b"/es/", b"/es//", b"/ES/",
    b"/es/es/es/", b"/en/", b"/./", b"/../", b"/../../etc/passwd", b"/static/../../etc/passwd",
    b"/static/%2e%2e/%2e%2e/etc/passwd", b"/static/..%2f..%2fCargo.toml", b"/static/",
    b"/static/%00", b"/sitemaps/../../x", b"/sitemaps/%2e%2e", b"/copy/index/../../x",
    b"/copy/index/CURRENT", b"/index/CURRENT", b"/listings.json", b"/reports/reports.jsonl",
    b"/download/../listings.json", b"/programs/", b"/programs//", b"/programs/%2F",
    b"/search/", b"/search//", b"/%", b"/%%", b"/%G1", b"/%E2%82", b"/%FF", b"/%00",
    b"/\x00", b"/\xff\xfe", b"/\xc3\xa9", b"/es/\xc3\xb1", b"/a b", b"/a\tb", b"/#frag",
    b"*", b"", b"search", b"http://" + EVIL.encode() + b"/", b"http://127.0.0.1//" + EVIL.encode(),
    b"https://" + EVIL.encode() + b"/search?near=95814", EVIL.encode() + b":443",
    b"/;jsessionid=1", b"/search;x=1?near=95814", b"/.git/config", b"/.env", b"/admin",
    b"/healthz/", b"/healthz?x=" + b"%" * 10, b"/robots.txt/..", b"/sitemap.xml?page=-1",
    b"/opensearch.xml?x=<y>", b"/es/about", b"/about?lang=<x>", b"/favicon.ico/x",
]


def case_crafted(r):
    if r.random() < 0.5:
        target = r.choice(CRAFTED)
    else:
        prefix = r.choice([b"/", b"//", b"/es/", b"/es//", b"///", b"/es/\\", b"/\\\\"])
        segs = [r.choice([b"", b".", b"..", b"%2e%2e", b"%2F", b"\\", EVIL.encode(), b"%00",
                          b"%", b"%zz", b"\xc3\xa9", b"\xff", b"~", b";x=1", b"search",
                          b"programs", b"hsds", b"static", b"es", b"x" * r.choice([10, 5000])])
                for _ in range(r.randint(1, 5))]
        target = prefix + b"/".join(segs)
        if r.random() < 0.3:
            target += b"?" + query(r, SEARCH_KEYS)
    if r.random() < 0.01:
        target = b"/" + b"a" * r.choice([70_000, 300_000])
    version = b"HTTP/1.1" if r.random() < 0.9 else r.choice([b"HTTP/1.0", b"HTTP/0.9", b"HTTP/2.0", b"HTTP/1.1 x", b""])
    return "crafted", request(b"GET", target, (), b"", version)


KNOWN = [b"/", b"/search?near=95814", b"/about", b"/es/", b"/api/v1/search?near=95814",
         b"/search.csv?near=95814", b"/hsds/services", b"/healthz", b"/sitemap.xml",
         b"/robots.txt", b"/static/site.css", b"/compare", b"/shortlist?ids=x",
         b"/download/datapackage.json", b"/api/v1/openapi.json", b"/opensearch.xml"]


def known(r):
    if IDS and r.random() < 0.2:
        return b"/programs/" + r.choice(IDS).encode() + r.choice([b"", b"/report"])
    return r.choice(KNOWN)


def case_method(r):
    method = r.choice([b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"TRACE", b"CONNECT", b"POST",
                       b"HEAD", b"HEAD", b"get", b"GeT", b"FOO", b"G\x00T", b"X" * 5000,
                       b"GET GET", b"PROPFIND", b"\xff"])
    body = b"" if r.random() < 0.6 else rand_text(r).encode("utf-8", "surrogatepass")[:5000]
    return ("head" if method == b"HEAD" else "method"), request(method, known(r), (), body)




def case_report(r):
    ident = r.choice(IDS) if IDS and r.random() < 0.85 else rand_text(r)[:50]
    path = es(r, b"/programs/" + urllib.parse.quote(ident, safe="").encode() + b"/report")
    headers = []
    ct = r.random()
    if ct < 0.6:
        headers.append(b"Content-Type: application/x-www-form-urlencoded")
    elif ct < 0.65:
        headers.append(b"Content-Type: application/x-www-form-urlencoded; charset=latin-1")
    elif ct < 0.75:
        headers.append(b"Content-Type: " + r.choice([b"application/json", b"multipart/form-data; boundary=x",
                                                     b"text/plain", b"", b"\xff", b"application/x-www-form-urlencoded, text/plain"]))
    x = r.random()
    if x < 0.15:
        headers.append(b"Origin: " + r.choice([b"http://" + EVIL.encode(), b"null", b"\xff", b"http://127.0.0.1.evil.example"]))
    elif x < 0.25:
        headers.append(b"Sec-Fetch-Site: " + r.choice([b"cross-site", b"same-site", b"none", b"same-origin", b"garbage"]))
    elif x < 0.3:
        headers.append(b"X-Forwarded-For: " + r.choice([b"1.2.3.4", b"::1", b"garbage, 5.6.7.8", b"\xff"]))
    fields = []
    for _ in range(r.choice([0, 1, 2, 3, 5, 40])):
        name = r.choice(["problem", "details", "contact", "website", "token"]) if r.random() < 0.8 else rand_text(r)
        fields.append(enc(r, name) + b"=" + enc(r, rand_text(r)))
    body = b"&".join(fields)
    y = r.random()
    if y < 0.05:
        body = b"details=" + b"a" * 70_000  # over the 64 KiB body limit
    elif y < 0.1:
        body = bytes(r.randrange(256) for _ in range(r.randint(1, 2000)))
    if r.random() < 0.1:
        # chunked, sometimes with a malformed chunk (hyper answers 400 and closes)
        headers.append(b"Transfer-Encoding: chunked")
        size = b"%x" % len(body) if r.random() < 0.7 else r.choice([b"zz", b"-1", b"ffffffffffffffffff"])
        body = (size + b"\r\n" + body + b"\r\n0\r\n\r\n") if body else b"0\r\n\r\n"
    elif r.random() < 0.05 and body:
        # a Content-Length shorter than the body: the rest reads as a next request
        headers.append(b"Content-Length: " + str(len(body) // 2).encode())
    if r.random() < 0.05:
        headers.append(b"Expect: 100-continue")
    return "report", request(b"POST", path, headers, body)


def case_headers(r):
    h = r.choice([
        b"Accept-Language: " + r.choice([b"es", b"es-MX,es;q=0.9", b"*", b"xx;q=abc", b"\xff\xfe", b"es;q=" + b"9" * 1000, b",,,;;;", b"es" * 5000]),
        b"Accept: " + r.choice([b"application/json", b"text/csv", b"*/*;q=x", b"\xff", b"a/" * 3000]),
        b"Cookie: " + b"a=" + b"b" * r.choice([10, 8000, 60_000]),
        b"If-None-Match: " + r.choice([b"\"x\"", b"*", b"W/\"\xff\"", b"garbage", b"\"" + b"a" * 9000 + b"\""]),
        b"If-Modified-Since: " + r.choice([b"yesterday", b"Thu, 01 Jan 1970 00:00:00 GMT", b"Fri, 31 Dec 9999 23:59:59 GMT", b"\xff"]),
        b"Range: " + r.choice([b"bytes=0-10", b"bytes=-1", b"bytes=99999999-", b"bytes=garbage", b"bytes=0-1,2-3,4-5"]),
        b"Transfer-Encoding: " + r.choice([b"chunked", b"gzip", b"identity, chunked", b"\xff"]),
        b"Content-Length: " + r.choice([b"-1", b"abc", b"1, 2", b"99999999999999999999"]),
        b"X-Forwarded-For: " + r.choice([b"1.2.3.4", b"garbage", b"\xff"]),
        b"X-Forwarded-Host: " + EVIL.encode(),
        b"X-Forwarded-Proto: javascript",
        b"Sec-Fetch-Site: cross-site",
        b"User-Agent: " + b"U" * r.choice([10, 20_000]),
        b"Connection: " + r.choice([b"close", b"keep-alive, Upgrade", b"Upgrade"]) + b"\r\nUpgrade: h2c",
        b"X-Many: 1" + b"\r\nX-Many: 1" * r.choice([50, 200]),
        b"X-Folded: a\r\n  b",
        b"Bad Header: x",
        b": empty-name",
        b"X-Nul: a\x00b",
        b"X-Big: " + b"h" * r.choice([100_000, 500_000]),
    ])
    body = b""
    if h.startswith(b"Transfer-Encoding: chunked"):
        body = b"0\r\n\r\n"
    return "headers", request(b"GET", known(r), (h,), body)


def case_host(r):
    host = r.choice([EVIL.encode(), EVIL.encode() + b":80", b"127.0.0.1@" + EVIL.encode(), b"", b"\xff",
                     b"a" * 3000, b"127.0.0.1, " + EVIL.encode(), b"[::1]", b"javascript:alert(1)",
                     b"127.0.0.1/" + EVIL.encode(), b"127.0.0.1\\" + EVIL.encode()])
    return "host", request(b"GET", known(r), (), b"", b"HTTP/1.1", host=host)


def case_misc(r):
    path = r.choice([b"/download/datapackage.json", b"/download/iop-programs.jsonl", b"/download/iop-programs.csv",
                     b"/sitemap.xml", b"/sitemaps/" + seg(r), b"/static/" + seg(r), b"/robots.txt", b"/opensearch.xml",
                     b"/api/v1/openapi.json", b"/about", b"/healthz", b"/favicon.ico", b"/static/share.js",
                     b"/copy/index/" + seg(r), b"/es/about"])
    return "misc", get(path, query(r, SEARCH_KEYS + ["v", "lang"]) if r.random() < 0.5 else b"")


CASES = [(case_search, 30), (case_shortlist, 9), (case_program, 10), (case_hsds, 12), (case_crafted, 12),
         (case_method, 6), (case_report, 8), (case_headers, 6), (case_host, 2), (case_misc, 5)]


def make_case(seed, i):
    r = random.Random(seed * 1_000_003 + i)
    fn = r.choices([c for c, _ in CASES], weights=[w for _, w in CASES])[0]
    kind, raw = fn(r)
    return kind, raw


# --------------------------------------------------------------------------
# Checks on each answer.

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "param", "keygen"}
OPTIONAL_END = {"p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody",
                "tfoot", "colgroup", "rb", "rt", "rp"}


class Balance(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.errors = []
        self.title = ""
        self.in_title = False
        self.html_lang = None
        self.doctype = False

    def handle_decl(self, decl):
        if decl.lower().startswith("doctype html"):
            self.doctype = True

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.html_lang = dict(attrs).get("lang")
        if tag == "title":
            self.in_title = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in VOID:
            return
        while self.stack and self.stack[-1] != tag and self.stack[-1] in OPTIONAL_END:
            self.stack.pop()
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")

    def handle_data(self, data):
        if self.in_title:
            self.title += data


def html_problems(body):
    text = body.decode("utf-8", "replace")
    p = Balance()
    try:
        p.feed(text)
        p.close()
    except Exception as e:  # noqa: BLE001 - any parser failure is a finding
        return [f"parser: {e}"]
    problems = list(p.errors[:3])
    left = [t for t in p.stack if t not in OPTIONAL_END]
    if left:
        problems.append(f"unclosed {left[:5]}")
    if not p.doctype:
        problems.append("no doctype")
    if not p.title.strip():
        problems.append("no title")
    if not p.html_lang:
        problems.append("no <html lang>")
    if not text.rstrip().endswith("</html>"):
        problems.append("does not end with </html>")
    return problems


LINK_RE = re.compile(
    r"""(?:\s(?:href|src|action|formaction|poster)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))"""
    r"""|(?:<meta[^>]+(?:property|name)="(?:og:url|og:image|twitter:image)"[^>]*content="([^"]*)")""",
    re.I,
)


def off_site(url, allowed_hosts):
    """Why `url` (unescaped) leaves the site, or None."""
    u = url.strip()
    if not u or u.startswith("#") or u.startswith("?"):
        return None
    low = u.lower().replace("\t", "").replace("\n", "")
    if low.startswith(("mailto:", "tel:", "sms:")):
        return None
    if low.startswith(("javascript:", "data:", "vbscript:")):
        return "script/data URL"
    if u.startswith("//") or u.startswith("/\\") or u.startswith("\\"):
        return "protocol-relative"
    if u.startswith("/"):
        return None
    m = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", u)
    if not m:
        return None  # a relative path on this site
    if m.group(1).lower() not in ("http", "https"):
        return f"scheme {m.group(1)}"
    host = (urllib.parse.urlsplit(u).hostname or "").lower()
    if host in allowed_hosts:
        return None
    return f"host {host}"


def links(body):
    text = body.decode("utf-8", "replace")
    for m in LINK_RE.finditer(text):
        raw = next((g for g in m.groups() if g is not None), "")
        yield html.unescape(raw)


def check(kind, target, status, headers, body, allowed_hosts, port):
    """(failure or None, 4xx class or None, off-site links of a spoofed Host)."""
    ours = {"127.0.0.1", "localhost"}
    hosts = allowed_hosts | ours
    ctype = (headers.get("content-type") or [""])[0].split(";")[0].strip().lower()
    spoof = []
    if status >= 500:
        return f"{status}", None, spoof
    for loc in headers.get("location", []):
        why = off_site(loc, hosts)
        if why:
            if kind == "host":
                spoof.append(loc)
            else:
                return f"Location off-site ({why}): {loc[:120]}", None, spoof
    if ctype == "text/html":
        for url in links(body):
            why = off_site(url, hosts)
            if why:
                if kind == "host" and why.startswith("host"):
                    spoof.append(url)
                    continue
                return f"link off-site ({why}): {url[:120]}", None, spoof
    cls = None
    if 400 <= status < 500:
        if ctype == "text/html":
            problems = html_problems(body)
            if problems:
                return f"{status} HTML not well-formed: {problems}", None, spoof
            cls = "html"
        elif ctype in ("application/json", "application/problem+json"):
            try:
                doc = json.loads(body)
            except ValueError as e:
                return f"{status} JSON does not parse: {e}", None, spoof
            if not (isinstance(doc, dict) and isinstance(doc.get("error"), str) and doc["error"]):
                return f"{status} JSON without an error: {body[:120]!r}", None, spoof
            cls = "json"
        elif not body:
            cls = "empty"
        else:
            cls = ctype or "no content type"
    elif ctype in ("application/json",) and body:
        try:
            json.loads(body)
        except ValueError as e:
            return f"{status} JSON does not parse: {e}", None, spoof
    return None, cls, spoof


# --------------------------------------------------------------------------


def worker(args):
    seed, first, count, port, allowed_hosts, ids, hsds_ids, groups, values, deadline = args
    IDS[:] = ids
    HSDS_IDS[:] = hsds_ids
    GROUPS[:] = groups
    VALUES[:] = values
    conn = Conn(port)
    statuses = collections.Counter()
    by_kind = collections.Counter()
    classes = collections.Counter()
    failures = []
    spoofed = collections.Counter()
    samples = collections.defaultdict(list)  # (status, class) -> first targets
    slow = 0
    for i in range(first, first + count):
        if deadline and time.time() > deadline:
            break
        kind, raw = make_case(seed, i)
        head = raw.startswith(b"HEAD ")
        target = raw.split(b"\r\n", 1)[0][:160]
        t0 = time.monotonic()
        try:
            status, headers, body = conn.exchange(raw, head=head)
        except Closed:
            statuses["closed"] += 1
            by_kind[(kind, "closed")] += 1
            if len(samples["closed"]) < 4:
                samples["closed"].append(b"(%d bytes) " % len(raw) + target)
            continue
        except (socket.timeout, TimeoutError):
            conn.close()
            statuses["timeout"] += 1
            failures.append((i, kind, target, "no answer within %d s" % TIMEOUT))
            continue
        except ConnectionRefusedError:
            failures.append((i, kind, target, "connection refused (server down?)"))
            statuses["refused"] += 1
            break
        except (ValueError, OSError) as e:
            conn.close()
            failures.append((i, kind, target, f"bad answer: {e}"))
            statuses["bad answer"] += 1
            continue
        if time.monotonic() - t0 > 5:
            slow += 1
        statuses[status] += 1
        by_kind[(kind, status)] += 1
        if head:
            # a HEAD answer has no body to check: its GET is checked elsewhere
            body = b""
            headers = {k: v for k, v in headers.items() if k != "content-type"}
        failure, cls, spoof = check(kind, target, status, headers, body, allowed_hosts, port)
        if cls:
            ctype = (headers.get("content-type") or [""])[0].split(";")[0]
            key = (status, cls if cls in ("html", "json", "empty") else ctype)
            classes[key] += 1
            if cls not in ("html", "json") and len(samples[key]) < 3:
                samples[key].append(target + b" -> " + body[:100])
        if spoof:
            spoofed["answers"] += 1
            spoofed["links"] += len(spoof)
        if failure:
            failures.append((i, kind, target, failure))
        # a request whose body the server may not have read (it answered
        # first): do not reuse the connection
        if kind in ("report", "method", "headers") and conn.sock is not None:
            conn.close()
    conn.close()
    return statuses, by_kind, classes, failures, spoofed, slow, samples


def read_status(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS", "VmHWM")):
                    k, v = line.split(":")
                    out[k] = int(v.split()[0]) // 1024
    except OSError:
        pass
    return out


def simple_get(port, path):
    c = Conn(port)
    try:
        return c.exchange(request(b"GET", path))
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/iopfinder"))
    ap.add_argument("--requests", type=int, default=36000)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--max-seconds", type=float, default=0,
                    help="stop sending after this long (0: send them all); the counts say how many were sent")
    ap.add_argument("--keep", action="store_true", help="keep the data directory")
    args = ap.parse_args()
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"{args.bin} is missing: cargo build --release --workspace")
    load_vocabulary()

    work = tempfile.mkdtemp(prefix="iopfinder-fuzz.")
    data = os.path.join(work, "data")
    err = open(os.path.join(work, "server.err"), "wb")
    env = dict(os.environ, RUST_LOG="warn")
    env.pop("IOPFINDER_PUBLIC_URL", None)
    t_start = time.monotonic()
    server = subprocess.Popen([args.bin, "serve", "--data-dir", data, "--addr", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, stderr=err, env=env)
    try:
        port = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and server.poll() is None:
            ready, _, _ = select.select([server.stdout], [], [], 1)
            if ready:
                line = server.stdout.readline().decode()
                m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
                if m:
                    port = int(m.group(1))
                    break
        if port is None:
            sys.exit("the server did not start (see %s)" % err.name)
        # drain stdout so the server never blocks on it
        subprocess.Popen(["cat"], stdin=server.stdout, stdout=subprocess.DEVNULL)
        print(f"== server {args.bin} pid {server.pid} on 127.0.0.1:{port}, data {data} "
              f"(started in {time.monotonic() - t_start:.1f} s)")

        with open(os.path.join(data, "listings.json")) as f:
            store = json.load(f)
        listings = store["listings"] if isinstance(store, dict) else store
        ids = [l["id"] for l in listings]
        allowed_hosts = set()
        for l in listings:
            for key in ("website", "url", "source_url"):
                v = l.get(key)
                if isinstance(v, str) and v.startswith("http"):
                    allowed_hosts.add((urllib.parse.urlsplit(v).hostname or "").lower())
        # hosts ordinary pages link to (credits, the 988 line, ...)
        baseline = [b"/", b"/about", b"/es/", b"/es/about", b"/search?near=95814",
                    b"/es/search?near=95814", b"/search?near=10001&radius=100"]
        baseline += [b"/programs/" + i.encode() for i in ids[:20]]
        page_hosts = set()
        for path in baseline:
            status, headers, body = simple_get(port, path)
            assert status == 200, (path, status)
            for url in links(body):
                if url.startswith("http"):
                    page_hosts.add((urllib.parse.urlsplit(url).hostname or "").lower())
        allowed_hosts |= page_hosts
        hsds_ids = []
        for name in HSDS_LISTS:
            status, _, body = simple_get(port, f"/hsds/{name}?per_page=5".encode())
            if status == 200:
                doc = json.loads(body)
                items = doc.get("contents", doc) if isinstance(doc, dict) else doc
                if isinstance(items, list):
                    hsds_ids += [it["id"] for it in items if isinstance(it, dict) and "id" in it]
        print(f"   {len(ids)} listings, {len(hsds_ids)} HSDS ids; hosts ordinary pages link to: "
              f"{sorted(page_hosts)} (+{len(allowed_hosts - page_hosts)} program website hosts)")
        before = read_status(server.pid)

        n = args.requests
        per = [n // args.workers + (1 if k < n % args.workers else 0) for k in range(args.workers)]
        jobs, first = [], 0
        for k in range(args.workers):
            jobs.append((args.seed, first, per[k], port, allowed_hosts, ids, hsds_ids, GROUPS, VALUES, 0))
            first += per[k]
        deadline = time.time() + args.max_seconds if args.max_seconds else 0
        load0 = os.getloadavg()
        jobs = [j[:-1] + (deadline,) for j in jobs]
        t0 = time.monotonic()
        with multiprocessing.Pool(args.workers) as pool:
            results = pool.map(worker, jobs)
        secs = time.monotonic() - t0
        load1 = os.getloadavg()
        statuses, by_kind, classes, spoofed = (collections.Counter() for _ in range(4))
        failures, slow = [], 0
        samples = collections.defaultdict(list)
        for s, b, c, f, sp, sl, sa in results:
            for k, v in sa.items():
                samples[k] = (samples[k] + v)[:3]
            statuses.update(s)
            by_kind.update(b)
            classes.update(c)
            spoofed.update(sp)
            failures += f
            slow += sl
        after = read_status(server.pid)
        alive = server.poll() is None
        t = time.monotonic()
        h_status = None
        if alive:
            h_status, _, _ = simple_get(port, b"/healthz")
        h_ms = (time.monotonic() - t) * 1000
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        err.close()
    with open(err.name, "rb") as f:
        stderr = f.read().decode("utf-8", "replace")
    panics = stderr.count("panicked")

    total = sum(statuses.values())
    print(f"== {total} requests in {secs:.1f} s ({total / secs:.0f} req/s, {args.workers} workers, seed {args.seed}); "
          f"load average {load0[0]:.1f} before, {load1[0]:.1f} after")
    print("status counts: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))))
    kinds = sorted({k for k, _ in by_kind})
    for kind in kinds:
        row = {s: v for (k, s), v in by_kind.items() if k == kind}
        print(f"  {kind:<10} {sum(row.values()):>6}: " + ", ".join(f"{s} {v}" for s, v in sorted(row.items(), key=lambda kv: str(kv[0]))))
    print("4xx bodies (status, kind): " + ", ".join(f"{s} {c}: {v}" for (s, c), v in sorted(classes.items(), key=str)))
    if spoofed:
        print(f"spoofed Host: {spoofed['answers']} answers carried {spoofed['links']} absolute links to the spoofed host "
              "(canonical/share links; IOPFINDER_PUBLIC_URL unset, by design)")
    for key, targets in sorted(samples.items(), key=str):
        print(f"  e.g. {key}: " + " | ".join(repr(t[:140]) for t in targets))
    print(f"answers slower than 5 s: {slow}")
    print(f"server VmRSS {before.get('VmRSS')} MiB before, {after.get('VmRSS')} MiB after, VmHWM {after.get('VmHWM')} MiB; "
          f"alive at the end: {alive}; /healthz {h_status} in {h_ms:.0f} ms; panics in stderr: {panics}; "
          f"stderr lines: {len(stderr.splitlines())}")
    fail = bool(failures) or not alive or panics or h_status != 200
    if failures:
        print(f"FAILURES: {len(failures)}")
        for i, kind, target, why in failures[:40]:
            print(f"  #{i} {kind} {target!r}: {why}")
    if panics:
        print("\n".join(l for l in stderr.splitlines() if "panicked" in l)[:4000])
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print("FAIL" if fail else "PASS: no 5xx, no crash, every 4xx page and JSON well-formed, no link off-site")
    sys.exit(1 if fail else 0)


if __name__ == "__main__":
    main()
