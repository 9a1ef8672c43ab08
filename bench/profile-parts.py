#!/usr/bin/env python3
"""Split a `perf record --call-graph dwarf` profile of the server into the parts
of a request (issue 17, BENCHMARKS.md "What each request's microseconds are").

    perf record -F 999 --call-graph dwarf,16384 -p SERVER_PID -o page.data -- sleep 8
    bench/profile-parts.py page.data

Each sample counts for the first part, from the innermost frame outwards, whose
pattern one of its frames contains: time in the allocator, memcpy or escaping
counts for the part that called them. Prints each part's share of the samples.
"""
import sys, subprocess, collections

cats = [
 ('map: marker spreading', ['map::spread']),
 ('map: city labels', ['largest_cities_in', 'map::city_labels']),
 ('map: the rest (frame, tiles, markers, legend)', ['map::draw', 'map::results_map', 'map::line_tiles']),
 ('cards (20, from prepared parts)', ['card::program_card']),
 ('facet sidebar', ['facets::facet_sidebar']),
 ('search form', ['search_form::search_form']),
 ('frame (layout, head, footer)', ['layout::layout_with_head']),
 ('the search (tantivy, columns, facet counts)', ['SearchIndex::search']),
 ('program page: JSON-LD and share tags', ['share::listing_head', 'share::']),
 ('program page: facts, sources, dates', ['fact_row', 'fact_source', 'group_source', 'facts::']),
 ('program page: the rest of the body', ['program::program_page_with_tel', 'program_page_from']),
 ('open reports (two stat calls)', ['open_report_dates']),
 ('card links (search and shortlist ride along)', ['toggle_link', 'program_href', 'search_href', 'to_query_string']),
 ('rest of the page (heading, summary, pagination, sort, filters)', ['results_page_with_cards']),
 ('request: query parsing, prepared lookups, handler', ['web::search::results_now', 'web::programs::program', 'extract::', 'FromRequest']),
 ('HTTP: hyper parse/write, middleware, tokio', ['hyper::', 'axum::', 'tower', 'tokio::']),
]
counts = collections.Counter(); total = 0
stack = []
def flush():
    global total
    if not stack: return
    total += 1
    for frame in stack:  # leaf first
        for name, pats in cats:
            if any(p in frame for p in pats):
                counts[name] += 1; return
    # kernel-only or unknown
    if any('[kernel' in f or 'kallsyms' in f for f in stack[:1]):
        counts['kernel (network, scheduling) outside the above'] += 1
    else:
        counts['other'] += 1
out = subprocess.run(['perf', 'script', '-i', sys.argv[1], '-F', 'ip,sym,dso'], capture_output=True, text=True).stdout
for line in out.splitlines():
    if not line.strip():
        flush(); stack = []; continue
    if line.startswith('\t') or line.startswith(' '):
        stack.append(line.strip())
flush()
for name, c in counts.most_common():
    print(f"{100*c/total:5.1f}%  {name}")
print(total, 'samples')
