"""Screenshots of the web page, for reviewers who do not run it: ``docs/screenshots/*.png``.

    python docs/screenshots.py [--out docs/screenshots] [--network FOLDER]

Builds the STPT network (with the Timișoara OSM extract, Velo TM, car share and P+R, from
../shared/data) or, without the shared data, the project's own sample; serves it with
``maas serve`` (no tiles: the blank map the page draws when no tile URL is configured); drives
Debian's Chromium like the browser tests do, by keyboard: "Gara de Nord" -> "Iulius Town" (the
sample: "Iulius Mall") on 2026-11-24 at 08:00.

Writes: ``empty.png`` (the page on arrival), ``results.png`` (the itineraries),
``itinerary.png`` (the first one opened and drawn on the map), ``departures.png`` (a stop's
departures, opened from its marker, when the server has ``/v1/stops/{id}/departures``), ``ro.png`` (Romanian, wheelchair profile, an itinerary
opened) and ``mobile.png`` (320 px wide, text reflowed).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import webtools  # noqa: E402

DAY, TIME = "2026-11-24", "08:00"


def type_and_pick(page, field: str, text: str, prefer: str) -> None:
    page.locator(f"#{field}").focus()
    page.keyboard.type(text, delay=30)
    page.wait_for_selector(f"#{field}-list [role=option][id]", timeout=15000)
    names = page.locator(f"#{field}-list [role=option] .name").all_inner_texts()
    target = next((i for i, n in enumerate(names) if prefer.lower() in n.lower()), 0)
    for _ in range(target + 1):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")


def wait_results(page) -> None:
    page.wait_for_function("() => window.MAAS.lastPlan && /\\d|No |Niciun/.test(document.getElementById('status').textContent)"
                           " && !/…/.test(document.getElementById('status').textContent)", timeout=30000)
    page.wait_for_timeout(300)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    ap.add_argument("--network", default=None, help="a network folder to serve (default: build STPT or the sample)")
    a = ap.parse_args(argv)
    problem = webtools.browser_problem()
    if problem:
        print(f"screenshots: {problem}", file=sys.stderr)
        return 2
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if a.network:
            folder, dest = Path(a.network), "Iulius"
        else:
            folder = webtools.stpt_network(tmp / "stpt")
            dest = "Iulius Town"
            if folder is None:
                folder, dest = webtools.sample_network(tmp / "sample"), "Iulius Mall"
        with webtools.serve(folder, tmp / "serve.log") as base, sync_playwright() as p:
            browser = webtools.launch(p)
            ctx = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
            page = ctx.new_page()
            page.goto(f"{base}/?lang=en&date={DAY}&time={TIME}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / "empty.png"))
            type_and_pick(page, "from", "Gara de Nord", "Gara de Nord")
            type_and_pick(page, "to", dest.split()[0], dest)
            page.keyboard.press("Enter")
            wait_results(page)
            page.locator("#results").scroll_into_view_if_needed()
            page.screenshot(path=str(out / "results.png"))
            page.locator("#itineraries .itin-btn").first.click()
            page.wait_for_timeout(800)
            steps = page.locator("#itineraries > li").first.locator(".leg details:has(.steps) summary")
            if steps.count():                        # show the walking directions too
                steps.last.click()
                steps.last.scroll_into_view_if_needed()
            else:
                page.locator("#itineraries > li").first.scroll_into_view_if_needed()
            page.screenshot(path=str(out / "itinerary.png"))
            marker = page.locator(".leaflet-marker-icon[data-stop-id][role=button]").first
            import httpx
            has_departures = marker.count() and httpx.get(
                f"{base}/v1/stops/{marker.get_attribute('data-stop-id')}/departures").status_code == 200
            (out / "departures.png").unlink(missing_ok=True)
            if has_departures:                       # a server without the endpoint: no picture of it
                marker.focus()
                page.keyboard.press("Enter")
                page.wait_for_timeout(800)
                page.locator("#departures").scroll_into_view_if_needed()
                page.screenshot(path=str(out / "departures.png"))
            # Romanian, wheelchair profile: the same trip from the address bar the page keeps
            url = page.url.replace("lang=en", "lang=ro").replace("profile=default", "profile=wheelchair")
            page.goto(url)
            wait_results(page)
            page.locator("#itineraries .itin-btn").first.click()
            page.wait_for_timeout(800)
            page.locator("#itineraries > li").first.scroll_into_view_if_needed()
            page.screenshot(path=str(out / "ro.png"))
            ctx.close()
            ctx = browser.new_context(viewport={"width": 320, "height": 640}, locale="en-GB")
            page = ctx.new_page()
            page.goto(url.replace("lang=ro", "lang=en"))
            wait_results(page)
            page.locator("#results").scroll_into_view_if_needed()
            page.screenshot(path=str(out / "mobile.png"))
            browser.close()
    for f in sorted(out.glob("*.png")):
        print(f"{f}  {f.stat().st_size // 1024} kB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
