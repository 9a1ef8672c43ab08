// Accessibility and flow checks for IOP Finder in headless Chromium.
//
//   node tests/a11y/run.mjs BASE_URL [--out DIR]
//
// (a) axe-core (WCAG 2.0/2.1 A+AA, 2.2 AA; best-practice reported apart) on
//     every page type at 390 px and 1280 px;
// (b) flows as a person uses the site: search -> filter -> listing ->
//     shortlist -> print view -> compare, by mouse, by keyboard alone, and in
//     Spanish when /es/ answers 200.
// Screenshots go to DIR (default target/test-artifacts/flows). A JSON summary
// is printed on stdout; progress on stderr. Exit 0: clean; 1: violations or
// failed steps; 2: the harness itself failed.

import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const REQUIRED_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } };
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const args = process.argv.slice(2);
const base = (args.find((a) => !a.startsWith("--")) || "").replace(/\/$/, "");
const outIdx = args.indexOf("--out");
const out = path.resolve(outIdx >= 0 ? args[outIdx + 1] : "target/test-artifacts/flows");
if (!base) {
  console.error("usage: node run.mjs BASE_URL [--out DIR]");
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const log = (...m) => console.error("[a11y]", ...m);

async function getJson(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.json();
}

// ---------------------------------------------------------------- axe runs

async function axePage(context, spec, widthName) {
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  await page.setViewportSize(WIDTHS[widthName]);
  const result = { page: spec.name, url: spec.path, width: widthName, violations: [], bestPractice: [] };
  try {
    const resp = await page.goto(base + spec.path, { waitUntil: "load" });
    result.status = resp ? resp.status() : 0;
    if (result.status !== spec.status) {
      result.error = `expected HTTP ${spec.status}, got ${result.status}`;
    }
    if (widthName === "phone") {
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
      if (wide > 0) {
        result.violations.push({ id: "reflow (harness, WCAG 1.4.10)", impact: "serious", help: `the page scrolls sideways at 390 px (${wide} px too wide)`, targets: ["html"], nodes: 1 });
      }
    }
    result.focus = await tabThrough(page);
    const byWhy = new Map();
    for (const stop of result.focus.problems) byWhy.set(stop.why, [...(byWhy.get(stop.why) || []), stop.desc]);
    for (const [why, targets] of byWhy) {
      result.violations.push({ id: "focus-visible (harness, WCAG 2.4.7/2.4.11)", impact: "serious", help: why, targets: targets.slice(0, 10), nodes: targets.length });
    }
    await page.addScriptTag({ content: AXE_SOURCE });
    const res = await page.evaluate(
      async (tags) =>
        // eslint-disable-next-line no-undef
        axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
      [...REQUIRED_TAGS, "best-practice"],
    );
    result.rulesPassed = res.passes.length;
    result.incomplete = res.incomplete.map((v) => v.id);
    for (const v of res.violations) {
      const item = {
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.slice(0, 10).map((n) => n.target.join(" ")),
        summary: v.nodes[0] ? v.nodes[0].failureSummary : "",
        nodes: v.nodes.length,
      };
      if (v.tags.some((t) => REQUIRED_TAGS.includes(t))) result.violations.push(item);
      else result.bestPractice.push(item);
    }
  } catch (e) {
    result.error = String(e && e.message ? e.message : e);
  } finally {
    await page.close();
  }
  return result;
}

// Tab through the whole page, as a keyboard user would: every stop must show
// a focus indicator (outline or box-shadow) and be on screen, not hidden
// behind something or zero-sized.
async function tabThrough(page, max = 400) {
  const seen = [];
  const problems = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const f = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      const cx = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
      const cy = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
      const top = document.elementFromPoint(cx, cy);
      return {
        desc:
          el.tagName.toLowerCase() +
          (el.id ? "#" + el.id : "") +
          (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") +
          (el.getAttribute("href") ? `[href="${el.getAttribute("href")}"]` : "") +
          (el.getAttribute("value") && el.tagName === "INPUT" ? `[value="${el.getAttribute("value")}"]` : ""),
        ring: (cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0) || (cs.boxShadow && cs.boxShadow !== "none"),
        size: r.width >= 1 && r.height >= 1,
        onTop: !!top && (el === top || el.contains(top) || top.contains(el) || (el.labels && [...el.labels].some((l) => l.contains(top)))),
        inView: r.bottom > 0 && r.top < innerHeight,
      };
    });
    if (!f) break;
    if (seen.length && f.desc === seen[0]) break; // wrapped around
    seen.push(f.desc);
    if (!f.ring) problems.push({ desc: f.desc, why: "focused without a visible focus indicator" });
    else if (!f.size) problems.push({ desc: f.desc, why: "focus lands on something with no size" });
    else if (!f.inView || !f.onTop) problems.push({ desc: f.desc, why: "focused element is off screen, or its centre is hidden behind another element (WCAG 2.4.11)" });
  }
  return { stops: seen.length, problems };
}

async function runAxe(browser, pages) {
  // bypassCSP only here: the site's CSP (rightly) blocks the injected axe script.
  const context = await browser.newContext({ bypassCSP: true });
  const jobs = [];
  for (const spec of pages) {
    // Spanish pages (/es/...) at desktop width; English at both widths
    const widths = spec.name.startsWith("es-") ? ["desktop"] : Object.keys(WIDTHS);
    for (const w of widths) jobs.push([spec, w]);
  }
  const results = [];
  const workers = Array.from({ length: 3 }, async () => {
    while (jobs.length) {
      const [spec, w] = jobs.shift();
      results.push(await axePage(context, spec, w));
    }
  });
  await Promise.all(workers);
  await context.close();
  const order = pages.map((p) => p.name);
  results.sort((a, b) => order.indexOf(a.page) - order.indexOf(b.page) || a.width.localeCompare(b.width));
  return results;
}

// ---------------------------------------------------------------- flows

class Flow {
  constructor(name, page) {
    this.name = name;
    this.page = page;
    this.steps = [];
    this.n = 0;
    this.failed = false;
  }
  // Run one step; after a failure the rest are recorded as not run.
  async step(name, fn, { screenshot = true } = {}) {
    const rec = { name, ok: false };
    this.steps.push(rec);
    if (this.failed) {
      rec.error = "not run: an earlier step failed";
      return;
    }
    try {
      await fn();
      rec.ok = true;
    } catch (e) {
      rec.error = String(e && e.message ? e.message : e).split("\n")[0];
      this.failed = true;
    }
    rec.url = this.page.url().replace(base, "");
    if (screenshot || !rec.ok) rec.screenshot = await this.shot(name);
  }
  // The whole page, and what a person sees of it (the viewport) as -screen.
  async shot(name) {
    this.n += 1;
    const stem = path.join(out, `${this.name}-${String(this.n).padStart(2, "0")}-${name.replace(/[^a-z0-9]+/gi, "-")}`);
    try {
      await this.page.screenshot({ path: `${stem}.png`, fullPage: true });
      await this.page.screenshot({ path: `${stem}-screen.png` });
      return `${stem}.png`;
    } catch {
      return null;
    }
  }
}

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

async function status(page, resp) {
  expect(resp && resp.ok(), `HTTP ${resp ? resp.status() : "no response"} at ${page.url()}`);
}

// The element that has focus, with whether its focus is visible: an outline
// or a box-shadow drawn on the element itself.
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const cs = getComputedStyle(el);
    const outline = cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0;
    const shadow = cs.boxShadow && cs.boxShadow !== "none";
    const desc =
      el.tagName.toLowerCase() +
      (el.id ? "#" + el.id : "") +
      (el.getAttribute("href") ? `[href="${el.getAttribute("href")}"]` : "") +
      (el.getAttribute("value") && el.tagName === "INPUT" ? `[value="${el.getAttribute("value")}"]` : "") +
      ` "${(el.innerText || el.getAttribute("aria-label") || "").trim().slice(0, 40)}"`;
    return { desc, visible: outline || shadow, focusVisible: el.matches(":focus-visible") };
  });
}

// Press Tab until `selector` has focus; every element passed on the way
// must show a visible focus indicator.
async function tabTo(flow, selector, max = 400) {
  const { page } = flow;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    if (f && !f.visible) flow.unfocused.add(`${new URL(page.url()).pathname}: ${f.desc}`);
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) {
      expect(f && f.visible, `focus on ${selector} is not visible (no outline or box-shadow)`);
      return;
    }
  }
  throw new Error(`Tab never reached ${selector} in ${max} presses`);
}

async function nav(page, action) {
  const [resp] = await Promise.all([page.waitForNavigation({ waitUntil: "load" }), action()]);
  await status(page, resp);
}

async function runFlow(browser, name, prefix, keyboard) {
  const context = await browser.newContext({
    viewport: keyboard ? WIDTHS.desktop : WIDTHS.phone,
    permissions: keyboard ? ["clipboard-read", "clipboard-write"] : [],
  });
  const page = await context.newPage();
  page.setDefaultTimeout(8000); // a step that hangs fails fast
  const flow = new Flow(name, page);
  flow.unfocused = new Set();
  const p = (s) => (prefix ? prefix + s : s);
  const cspErrors = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) cspErrors.push(m.text());
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== "document") {
      cspErrors.push(`HTTP ${r.status()} for ${r.url().replace(base, "")}`);
    }
  });
  let listingIds = [];

  await flow.step("home", async () => {
    await status(page, await page.goto(base + p("/")));
    expect(await page.locator("h1").count() === 1, "home has one h1");
    const lang = await page.evaluate(() => document.documentElement.lang);
    expect(lang === (prefix ? "es" : "en"), `<html lang> is ${lang}`);
  });
  if (keyboard) {
    await flow.step("skip link", async () => {
      await page.keyboard.press("Tab");
      const skip = await page.evaluate(() => {
        const el = document.activeElement;
        const r = el.getBoundingClientRect();
        return { isSkip: el.matches("a.skip-link"), shown: r.top >= 0 && r.bottom <= innerHeight && r.width > 20 && r.height > 10 };
      });
      expect(skip.isSkip, "the first Tab reaches the skip link");
      expect(skip.shown, "the skip link shows on screen when focused");
      await page.keyboard.press("Enter");
      await page.keyboard.press("Tab");
      const inMain = await page.evaluate(() => !!document.activeElement.closest("main"));
      expect(inMain, "after the skip link, Tab moves into the main content");
    });
  }
  await flow.step("search by ZIP", async () => {
    if (keyboard) {
      await tabTo(flow, "#near");
      await page.keyboard.type("95814");
      await tabTo(flow, "#radius");
      // a closed <select> takes arrow keys: 25 -> 50 -> 100 miles
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowDown");
      expect((await page.locator("#radius").inputValue()) === "100", "arrow keys set the distance to 100");
      await tabTo(flow, ".search-form button[type=submit]");
      await nav(page, () => page.keyboard.press("Enter"));
    } else {
      await page.fill("#near", "95814");
      await page.selectOption("#radius", "100");
      await nav(page, () => page.click(".search-form button[type=submit]"));
    }
    expect(new URL(page.url()).pathname === p("/search"), `on the results page, got ${page.url()}`);
    expect(new URL(page.url()).searchParams.get("near") === "95814", "near=95814 in the URL");
    expect((await page.locator(".results-list > li").count()) > 2, "several results");
  });
  await flow.step("filter: two insurance values (OR)", async () => {
    const before = await page.locator(".results-list > li").count();
    if (!(await page.locator("#filters").isVisible())) {
      // on a phone the filters are one tap away: "Filters", without JavaScript
      await page.click("a.filters-open");
      expect(await page.locator("#filters").isVisible(), "tapping Filters shows them");
    }
    for (const v of ["medicaid", "medicare"]) {
      const box = `#filters input[name=insurance][value=${v}]`;
      if (keyboard) {
        await tabTo(flow, box);
        await page.keyboard.press("Space");
      } else {
        await page.check(box);
      }
      expect(await page.locator(box).isChecked(), `${v} is ticked`);
    }
    if (keyboard) {
      await tabTo(flow, "#filters button[type=submit]");
      await nav(page, () => page.keyboard.press("Enter"));
    } else {
      await nav(page, () => page.click("#filters button[type=submit]"));
    }
    const ins = new URL(page.url()).searchParams.getAll("insurance");
    expect(ins.includes("medicaid") && ins.includes("medicare"), `both insurance values in the URL: ${page.url()}`);
    expect((await page.locator(".chips .chip").count()) >= 2, "two removable filter chips");
    const after = await page.locator(".results-list > li").count();
    expect(after > 0, "the OR filter leaves results");
    expect(after <= before, "filtering does not add results");
    expect((await page.locator("#filters input[name=insurance][value=medicaid]").isChecked()), "medicaid stays ticked");
  });
  await flow.step("add the first result to the shortlist", async () => {
    const toggle = ".results-list > li:first-child .shortlist-toggle";
    if (keyboard) {
      await tabTo(flow, toggle);
      await nav(page, () => page.keyboard.press("Enter"));
    } else {
      await nav(page, () => page.click(toggle));
    }
    const list = new URL(page.url()).searchParams.get("list") || "";
    expect(list.split(",").length === 1, `one program on the list: ${page.url()}`);
    listingIds.push(list);
    expect(await page.locator(".shortlist-bar").count() === 1, "the shortlist bar shows");
  });
  await flow.step("open a listing", async () => {
    const link = ".results-list > li:nth-child(2) .card-title a";
    if (keyboard) {
      await tabTo(flow, link);
      await nav(page, () => page.keyboard.press("Enter"));
    } else {
      await nav(page, () => page.click(link));
    }
    expect(new URL(page.url()).pathname.startsWith(p("/programs/")), `on a listing: ${page.url()}`);
    expect(await page.locator("h1").count() === 1, "listing has one h1");
    expect((await page.locator('a[href^="tel:"]').count()) > 3, "click-to-call links (crisis + program)");
  });
  await flow.step("add the listing to the shortlist", async () => {
    const toggle = ".program-shortlist .shortlist-toggle";
    if (keyboard) {
      await tabTo(flow, toggle);
      await nav(page, () => page.keyboard.press("Enter"));
    } else {
      await nav(page, () => page.click(toggle));
    }
    expect(await page.locator(`${toggle}.added`).count() === 1, "the toggle now says it is on the shortlist");
    const list = (new URL(page.url()).searchParams.get("list") || "").split(",");
    expect(list.length === 2, `two programs on the list: ${page.url()}`);
    listingIds = list;
  });
  await flow.step("shortlist page", async () => {
    const link = '.shortlist-bar a[href*="/shortlist?"]';
    if (keyboard) {
      await tabTo(flow, link);
      await nav(page, () => page.keyboard.press("Enter"));
    } else {
      await nav(page, () => page.click(link));
    }
    expect(new URL(page.url()).pathname === p("/shortlist"), `on the shortlist: ${page.url()}`);
    for (const id of listingIds) {
      expect(await page.locator(`a[href*="/programs/${id}"]`).count() > 0, `shortlist shows ${id}`);
    }
    // share.js reveals the copy button (CSP allows only same-origin scripts)
    await page.waitForSelector('button[data-action="copy"]:not([hidden])', { timeout: 3000 });
    if (keyboard) {
      // "Copy link" by keyboard: the link lands on the clipboard and the
      // page says so in its status region
      await tabTo(flow, 'button[data-action="copy"]');
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => (document.querySelector("[data-share-url] [role=status]")?.textContent || "").trim().length > 0, null, { timeout: 3000 });
      const want = await page.getAttribute("[data-share-url]", "data-share-url");
      const got = await page.evaluate(() => navigator.clipboard.readText());
      expect(got === want && got.includes("/shortlist?ids="), `clipboard holds the shortlist link (got ${got})`);
    }
  });
  await flow.step("print view", async () => {
    const link = 'main a[href*="/shortlist/print"]';
    if (keyboard) {
      await tabTo(flow, link);
      await nav(page, () => page.keyboard.press("Enter"));
    } else {
      await nav(page, () => page.click(link));
    }
    expect(new URL(page.url()).pathname === p("/shortlist/print"), `on the print view: ${page.url()}`);
    // share.js reveals the handout's Print button (same-origin script only)
    await page.waitForSelector('button[data-action="print"]:not([hidden])', { timeout: 3000 });
    await page.setViewportSize({ width: 816, height: 1056 }); // US Letter at 96 dpi
    await page.emulateMedia({ media: "print" });
    for (const id of listingIds) {
      expect(await page.locator(`[href*="${id}"], [id*="${id}"]`).count() > 0 || (await page.content()).includes(id), `handout mentions ${id}`);
    }
    expect((await page.locator("svg, img").count()) > 0, "the handout has its QR code");
    const pdf = await page.pdf({ format: "Letter" });
    expect(pdf.length > 1000, "the handout prints to PDF");
  });
  await flow.step("back to the shortlist", async () => {
    await page.emulateMedia({ media: "screen" });
    await page.setViewportSize(keyboard ? WIDTHS.desktop : WIDTHS.phone);
    // the browser's Back (a browser control, not part of the page)
    await status(page, await page.goBack({ waitUntil: "load" }));
    expect(new URL(page.url()).pathname === p("/shortlist"), `back on the shortlist: ${page.url()}`);
  });
  await flow.step("compare", async () => {
    const link = 'main a[href*="/compare?"]';
    if (keyboard) {
      await tabTo(flow, link);
      await nav(page, () => page.keyboard.press("Enter"));
    } else {
      await nav(page, () => page.click(link));
    }
    expect(new URL(page.url()).pathname === p("/compare"), `on compare: ${page.url()}`);
    const cols = await page.locator("table thead th").count();
    expect(cols >= 3, `a table with a header row and one column per program (th: ${cols})`);
    expect((await page.locator("table tbody th[scope=row], table tbody th").count()) > 3, "row headers name each field");
  });
  if (keyboard) {
    await flow.step("focus is always visible", async () => {
      expect(flow.unfocused.size === 0, `focus not visible on: ${[...flow.unfocused].join("; ")}`);
    }, { screenshot: false });
  }
  await flow.step("no console errors (CSP, scripts)", async () => {
    expect(cspErrors.length === 0, cspErrors.join("; "));
  }, { screenshot: false });
  await context.close();
  return {
    name,
    status: flow.failed ? "failed" : "passed",
    steps: flow.steps,
  };
}

// A parent on a phone (390x844): the first card's top and its call button
// on the first screen, two cards a screen, the shortlist kept by every kind
// of internal link, compare one full column wide, and the results printed
// on Letter paper with their street addresses.
async function phoneFlow(browser, ids) {
  const context = await browser.newContext({ viewport: WIDTHS.phone });
  const page = await context.newPage();
  page.setDefaultTimeout(8000);
  const flow = new Flow("en-phone", page);
  const [a, b, c] = ids;
  const results = "/search?near=95814&radius=100&insurance=medicaid";
  await flow.step("first screen", async () => {
    await status(page, await page.goto(base + results));
    const m = await page.evaluate(() => {
      const card = document.querySelector(".results-list .card");
      const call = card && card.querySelector("a.call, .card-call");
      const cards = [...document.querySelectorAll(".results-list .card")].slice(0, 4).map((c) => c.getBoundingClientRect().height);
      return { top: card ? card.getBoundingClientRect().top : 1e9, call: call ? call.getBoundingClientRect().bottom : 1e9, cards, h: innerHeight };
    });
    expect(m.top < m.h && m.call <= m.h, `first card at ${Math.round(m.top)} px and its call button ending at ${Math.round(m.call)} px, in a ${m.h} px screen`);
    const tallest = Math.max(...m.cards);
    expect(tallest * 2 <= m.h, `two cards a screen: the tallest of the first four is ${Math.round(tallest)} px`);
    expect(await page.locator("a.filters-open").isVisible(), "Filters is one tap away at the top");
  });
  await flow.step("the shortlist survives every internal link", async () => {
    const list = `list=${a},${b}`;
    const keeps = async (what) => {
      const got = new URL(page.url()).searchParams.get(new URL(page.url()).pathname.match(/\/(shortlist|compare)/) ? "ids" : "list");
      expect(got === `${a},${b}`, `${what} kept the shortlist: ${page.url()}`);
    };
    const follow = async (start, selector, what) => {
      await page.goto(base + start); // 400 and 404 pages too
      await nav(page, () => page.locator(selector).first().click());
      await keeps(what);
    };
    await follow(`/about?${list}`, "a.site-name", "the logo");
    await follow(`/about?${list}`, ".site-nav a[href^='/?']", "Search");
    await follow(`/?${list}`, ".site-nav a[href^='/about']", "About");
    await follow(`/?${list}`, ".site-nav .lang-switch a", "the language switch");
    await follow(`/es/?${list}`, ".site-nav .lang-switch a", "the language switch back");
    await follow(`/search?near=Springfield&${list}`, "main .suggestions a", "a suggestion of the ambiguous-place page");
    const ambiguous = await page.goto(`${base}/search?near=Springfield&${list}`);
    expect(ambiguous.status() === 400, "the ambiguous-place page");
    await page.fill("main #near", "95814");
    await nav(page, () => page.click("main .search-form button[type=submit]"));
    await keeps("the ambiguous-place page's form");
    const notFound = await page.goto(`${base}/no-such-page?${list}`);
    expect(notFound.status() === 404, "a 404 page");
    await nav(page, () => page.click("main a[href^='/?']"));
    await keeps("the 404 page's home link");
    const empty = `/search?near=95814&radius=5&focus=gambling&${list}`;
    await follow(empty, "main .suggestions a", "a wider search of an empty result");
    await follow(`/shortlist?ids=${a},${b}`, "a.site-name", "the logo on the shortlist page");
    await follow(`/compare?ids=${a},${b}`, "table a[href*='/programs/']", "a program of compare");
    await follow(`/programs/${c}?${list}`, ".site-nav a[href^='/about']", "About on a listing");
    await status(page, await page.goto(`${base}${results}&${list}`));
    expect(await page.locator(".shortlist-bar").isVisible(), "the shortlist bar is on screen");
    const bar = await page.locator(".shortlist-bar").boundingBox();
    expect(bar && bar.y + bar.height <= WIDTHS.phone.height + 1, "the shortlist bar stays in reach at the foot of the screen");
  });
  await flow.step("compare at 390 px shows one full column", async () => {
    await status(page, await page.goto(`${base}/compare?ids=${a},${b},${c}&near=95814`));
    const m = await page.evaluate(() => {
      const cells = [...document.querySelectorAll("table.compare thead th")].map((th) => th.getBoundingClientRect());
      return { first: cells[1], second: cells[2], w: innerWidth, label: cells[0] };
    });
    expect(m.first.left >= m.label.right - 1 && m.first.right <= m.w, `the first program's column is whole on screen (${Math.round(m.first.left)}-${Math.round(m.first.right)} of ${m.w})`);
    expect(m.first.width >= 180, `and wide enough to read (${Math.round(m.first.width)} px)`);
    expect(m.second.left >= m.w - 40, "the next program is a sideways scroll away");
  });
  await flow.step("keyboard focus in compare at 390 px is never under the sticky first column", async () => {
    // two programs: the table scrolls only as far as the second column, and
    // Shift+Tab from a link of that column to one of the first must bring
    // the first back out from under the row labels
    await status(page, await page.goto(`${base}/compare?ids=${a},${b}&near=95814`));
    const hidden = new Set();
    let stops = 0;
    for (const key of ["Tab", "Shift+Tab"]) {
      for (let i = 0; i < 80; i++) {
        await page.keyboard.press(key);
        const f = await page.evaluate(() => {
          const el = document.activeElement;
          if (!el || el === document.body) return null;
          if (!el.closest("table.compare tbody td")) return { inTable: false };
          // the harness's test (tabThrough): the centre, clamped to the
          // screen, shows the link itself and not the row labels
          const r = el.getBoundingClientRect();
          const cx = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
          const cy = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
          const top = document.elementFromPoint(cx, cy);
          return { inTable: true, desc: el.outerHTML.slice(0, 80), onTop: !!top && (el === top || el.contains(top) || top.contains(el)) };
        });
        if (!f) break;
        if (!f.inTable) continue;
        stops += 1;
        if (!f.onTop) hidden.add(f.desc);
      }
    }
    expect(stops >= 4, `Tab reached the table's links (${stops} stops)`);
    expect(hidden.size === 0, `focused links hidden under the row labels: ${[...hidden].join("; ")}`);
  });
  await flow.step("arrows keep their space from their words", async () => {
    // "← Back to the results", "Next →": an icon and its words in a flex
    // link are two flex items, and the space between them is dropped
    // unless the link has a gap
    const glued = [];
    for (const p of [`/search?near=95814&radius=100&page=2&per_page=5`, `/programs/${c}?near=95814&radius=100`]) {
      await status(page, await page.goto(base + p));
      glued.push(...(await page.evaluate(() => {
        const out = [];
        for (const a of document.querySelectorAll("main a")) {
          if (!/flex|grid/.test(getComputedStyle(a).display)) continue;
          const parts = [...a.childNodes].filter((n) => n.textContent.trim());
          for (let i = 0; i + 1 < parts.length; i++) {
            const rect = (n) => { const r = document.createRange(); r.selectNodeContents(n); return [...r.getClientRects()]; };
            const [x, y] = [rect(parts[i]).pop(), rect(parts[i + 1])[0]];
            if (x && y && Math.abs(x.top - y.top) < 6 && y.left - x.right < 2) out.push(a.innerText.replace(/\s+/g, " "));
          }
        }
        return out;
      })));
    }
    expect(glued.length === 0, `icons touching their words: ${glued.join("; ")}`);
  });
  await flow.step("results printed on Letter keep addresses", async () => {
    await status(page, await page.goto(base + results));
    await page.setViewportSize({ width: 816, height: 1056 });
    await page.emulateMedia({ media: "print" });
    const m = await page.evaluate(() => {
      const cards = [...document.querySelectorAll(".results-list .card")];
      return {
        n: cards.length,
        streets: cards.filter((c) => c.querySelector(".street") && c.querySelector(".street").offsetParent).length,
        withStreet: cards.filter((c) => c.querySelector(".street")).length,
        phones: cards.filter((c) => c.querySelector(".phone, .not-reported")).length,
        tallest: Math.max(...cards.map((c) => c.getBoundingClientRect().height)),
      };
    });
    expect(m.n > 0 && m.phones === m.n, `every printed card has its phone (${m.phones} of ${m.n})`);
    expect(m.withStreet > 0 && m.streets === m.withStreet, `printed street addresses show (${m.streets} of ${m.withStreet})`);
    expect(m.tallest <= 1056 / 4, `about four programs a page (tallest card ${Math.round(m.tallest)} px of a 1056 px page)`);
    const pdf = await page.pdf({ format: "Letter" });
    expect(pdf.length > 1000, "the results print to PDF");
    await page.emulateMedia({ media: "screen" });
    await page.setViewportSize(WIDTHS.phone);
  });
  await context.close();
  return { name: flow.name, status: flow.failed ? "failed" : "passed", steps: flow.steps };
}

// Report a problem with a listing, by keyboard alone: pick a reason with
// Space, type details, send with Enter, land on the thank-you page.
async function reportFlow(browser, id) {
  const context = await browser.newContext({ viewport: WIDTHS.phone });
  const page = await context.newPage();
  page.setDefaultTimeout(8000);
  const flow = new Flow("en-keyboard-report", page);
  flow.unfocused = new Set();
  await flow.step("listing", async () => {
    await status(page, await page.goto(`${base}/programs/${id}`));
  });
  await flow.step("fill the report form", async () => {
    await tabTo(flow, "input[name=problem]");
    await page.keyboard.press("Space");
    expect(await page.locator("input[name=problem]:checked").count() === 1, "Space picks a reason");
    await tabTo(flow, "textarea[name=details]");
    await page.keyboard.type("The phone number rings a different clinic.");
  });
  await flow.step("send the report", async () => {
    await tabTo(flow, ".report-form button[type=submit]");
    await nav(page, () => page.keyboard.press("Enter"));
    expect(new URL(page.url()).pathname === `/programs/${id}/report/thanks`, `on the thank-you page: ${page.url()}`);
    expect(await page.locator("h1").count() === 1, "the thank-you page has one h1");
    expect(await page.locator(`main a[href*="/programs/${id}"]`).count() > 0, "a way back to the listing");
  });
  await flow.step("focus is always visible", async () => {
    expect(flow.unfocused.size === 0, `focus not visible on: ${[...flow.unfocused].join("; ")}`);
  }, { screenshot: false });
  await context.close();
  return { name: flow.name, status: flow.failed ? "failed" : "passed", steps: flow.steps };
}

// ---------------------------------------------------------------- main

async function main() {
  const t0 = Date.now();
  const found = await getJson(`${base}/api/v1/search?near=95814&radius=100&per_page=3`);
  const ids = found.results.map((r) => r.id);
  if (ids.length < 2) throw new Error("the sample directory should give programs near 95814");
  const [a, b] = ids;
  const pages = [
    { name: "home", path: "/", status: 200 },
    { name: "results-filters", path: "/search?near=95814&radius=100&insurance=medicaid&insurance=medicare", status: 200 },
    { name: "results-shortlist-page-2", path: `/search?near=95814&radius=100&sort=name&page=2&per_page=5&list=${a}`, status: 200 },
    { name: "results-empty", path: "/search?near=95814&radius=5&focus=gambling", status: 200 },
    { name: "results-400", path: "/search?near=00000", status: 400 },
    { name: "listing", path: `/programs/${a}`, status: 200 },
    { name: "about", path: "/about", status: 200 },
    { name: "not-found", path: "/no-such-page", status: 404 },
    { name: "shortlist", path: `/shortlist?ids=${a},${b}&near=95814`, status: 200 },
    { name: "handout", path: `/shortlist/print?ids=${a},${b}&near=95814`, status: 200 },
    { name: "compare", path: `/compare?ids=${a},${b}&near=95814`, status: 200 },
    { name: "report-form", path: `/programs/${a}/report`, status: 200 },
    { name: "report-thanks", path: `/programs/${a}/report/thanks`, status: 200 },
  ];

  // Playwright gives the browser a fresh temporary profile of its own.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  try {
    const spanish = (await fetch(`${base}/es/`)).status;
    if (spanish === 200) {
      for (const spec of [...pages]) pages.push({ ...spec, name: `es-${spec.name}`, path: `/es${spec.path}` });
    }
    log("axe on", pages.length, "pages");
    const [axe, ...flows] = await Promise.all([
      runAxe(browser, pages),
      runFlow(browser, "en-pointer", "", false),
      runFlow(browser, "en-keyboard", "", true),
      reportFlow(browser, b),
      phoneFlow(browser, ids),
      spanish === 200
        ? runFlow(browser, "es-pointer", "/es", false)
        : Promise.resolve({
            name: "es-pointer",
            status: "skipped",
            reason: `/es/ answered HTTP ${spanish}, not 200: Spanish pages are not served yet`,
            steps: [],
          }),
    ]);
    const violations = axe.reduce((n, r) => n + r.violations.length + (r.error ? 1 : 0), 0);
    const failedSteps = flows.reduce((n, f) => n + f.steps.filter((s) => !s.ok && !s.error?.startsWith("not run")).length, 0);
    const summary = {
      base,
      screenshots: out,
      seconds: Math.round((Date.now() - t0) / 100) / 10,
      totals: {
        pagesChecked: axe.length,
        violations,
        bestPractice: axe.reduce((n, r) => n + r.bestPractice.length, 0),
        failedSteps,
        flowsSkipped: flows.filter((f) => f.status === "skipped").map((f) => f.name),
      },
      axe,
      flows,
    };
    console.log(JSON.stringify(summary, null, 2));
    return violations || failedSteps ? 1 : 0;
  } finally {
    await browser.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error("[a11y] harness failed:", e && e.stack ? e.stack : e);
    process.exit(2);
  },
);
