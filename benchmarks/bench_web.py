"""Web page benchmark: first-load transfer size and "Plan trip" -> results time, in Chromium.

    python benchmarks/bench_web.py [--network FOLDER] [--runs 10] [--trace out/web-trace.zip] [--out FILE.json]

Serves the STPT network (with the Timișoara OSM extract, Velo TM, car share and P+R, from
../shared/data; the project's sample without it) with ``maas serve`` and drives Debian's
Chromium like the browser tests do.

* First load: a fresh browser context each run (empty cache), ``/?lang=en``; the bytes are the
  Resource Timing ``transferSize`` of the document and every file it loads (no tiles are
  configured, so none are counted), gzip as served.
* Plan: "Gara de Nord" -> "Iulius Town" picked from the suggestions by keyboard, then the form
  is submitted with Enter ``--runs`` times at departure times 07:00, 07:07, ...; the time is from
  the form's submit event to the itinerary list being in the DOM (the page's ``maas-results``
  performance mark) and to the next frame painted after it.

Reports medians (and all runs in ``--out``); nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import webtools  # noqa: E402

DAY = "2026-11-24"

FIRST_LOAD_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  return {bytes: nav.transferSize + res.reduce((a, r) => a + r.transferSize, 0),
          decoded: nav.decodedBodySize + res.reduce((a, r) => a + r.decodedBodySize, 0),
          files: 1 + res.length, load_ms: nav.loadEventEnd - nav.startTime,
          files_list: res.map(r => [r.name.replace(location.origin, ''), r.transferSize])};
}"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--network", default=None)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--trace", default=None, help="write a Playwright trace of the plan runs here")
    ap.add_argument("--out", default=None, help="write every figure as JSON here")
    a = ap.parse_args(argv)
    problem = webtools.browser_problem()
    if problem:
        print(f"bench_web: {problem}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        dest = "Iulius Town"
        folder = Path(a.network) if a.network else webtools.stpt_network(tmp / "stpt")
        if folder is None:
            folder, dest = webtools.sample_network(tmp / "sample"), "Iulius Mall"
        with webtools.serve(folder, tmp / "serve.log") as base, sync_playwright() as p:
            browser = webtools.launch(p)
            loads = []
            for _ in range(5):
                ctx = browser.new_context(viewport={"width": 1280, "height": 860})
                page = ctx.new_page()
                page.goto(f"{base}/?lang=en")
                page.wait_for_load_state("networkidle")
                loads.append(page.evaluate(FIRST_LOAD_JS))
                ctx.close()
            ctx = browser.new_context(viewport={"width": 1280, "height": 860})
            if a.trace:
                ctx.tracing.start(screenshots=False, snapshots=True)
            page = ctx.new_page()
            page.goto(f"{base}/?lang=en&date={DAY}&time=07:00")
            page.wait_for_load_state("networkidle")
            for field, text, prefer in (("from", "Gara de Nord", "Gara de Nord"), ("to", dest.split()[0], dest)):
                page.locator(f"#{field}").focus()
                page.keyboard.type(text, delay=20)
                page.wait_for_selector(f"#{field}-list [role=option][id]")
                names = page.locator(f"#{field}-list [role=option] .name").all_inner_texts()
                k = next((i for i, n in enumerate(names) if prefer.lower() in n.lower()), 0)
                for _ in range(k + 1):
                    page.keyboard.press("ArrowDown")
                page.keyboard.press("Enter")
            page.evaluate("""() => document.getElementById('plan-form').addEventListener('submit', () => {
                window.__submitAt = performance.now();
                performance.clearMarks('maas-results');
            }, true)""")
            plans = []
            for i in range(a.runs):
                minute = 7 * i
                page.fill("#time", f"{7 + minute // 60:02d}:{minute % 60:02d}")
                page.locator("#to").focus()
                page.keyboard.press("Enter")
                page.wait_for_function("() => performance.getEntriesByName('maas-results').length > 0", timeout=30000)
                plans.append(page.evaluate("""() => new Promise(done => requestAnimationFrame(() => {
                    const m = performance.getEntriesByName('maas-results')[0].startTime;
                    done({dom_ms: m - window.__submitAt, painted_ms: performance.now() - window.__submitAt,
                          fetch_ms: window.MAAS.lastPlan.ms,
                          itineraries: document.querySelectorAll('#itineraries > li').length});
                }))"""))
            if a.trace:
                Path(a.trace).parent.mkdir(parents=True, exist_ok=True)
                ctx.tracing.stop(path=a.trace)
            ctx.close()
            version = browser.version
            browser.close()
    med = lambda key, xs: round(statistics.median(x[key] for x in xs), 1)  # noqa: E731
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    summary = {"commit": commit, "chromium": version, "network": str(folder), "python": platform.python_version(),
               "first_load_bytes_median": med("bytes", loads), "first_load_decoded_bytes": med("decoded", loads),
               "first_load_files": loads[0]["files"], "first_load_ms_median": med("load_ms", loads),
               "plan_to_dom_ms_median": med("dom_ms", plans), "plan_to_paint_ms_median": med("painted_ms", plans),
               "plan_to_paint_ms_max": round(max(x["painted_ms"] for x in plans), 1),
               "itineraries_median": med("itineraries", plans), "runs": a.runs,
               "files": loads[0]["files_list"]}
    for k, v in summary.items():
        if k != "files":
            print(f"{k}: {v}")
    for name, size in summary["files"]:
        print(f"  {name}: {size} B")
    if a.out:
        Path(a.out).write_text(json.dumps({"summary": summary, "loads": loads, "plans": plans}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
