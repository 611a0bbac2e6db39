"""The web page at ``/``: served from package data, in English and Romanian, driven in a real browser.

The HTTP checks run everywhere. The browser checks drive Debian's Chromium with Playwright
(``webtools.browser_problem`` says why they skip when it cannot run) against ``maas serve`` on a
free port: type a place, pick a suggestion by keyboard, plan, open an itinerary, and compare what
the page shows with ``/v1/plan`` for the same request; the wheelchair profile shows only
step-free legs; axe-core finds no serious or critical violation; text scales and reflows.
They run on the project's own sample network (always) and on STPT (when ../shared/data has it).
"""
from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import httpx
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import maas
from maas.service.app import create_app
from maas.service.page import strings

import webtools
from conftest import DATA

DAY, TIME = "2026-11-24", "08:00"      # a Tuesday inside both the sample's and STPT's calendars
STPT_GTFS = DATA / "stpt-timisoara-synth" / "stpt-timisoara-gtfs.zip"
BLOCKING = ("serious", "critical")


def hhmm(iso: str) -> str:
    return iso[11:16]


# ------------------------------------------------------------------------------------------
# HTTP: the page, its files, its languages
# ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_folder(tmp_path_factory) -> Path:
    return webtools.sample_network(tmp_path_factory.mktemp("web-sample"))


@pytest.fixture(scope="module")
def client(sample_folder):
    with TestClient(create_app(str(sample_folder), refresh=False, warm=False)) as c:
        yield c


def _config(html: str) -> dict:
    m = re.search(r'<script id="maas-config" type="application/json">(.*?)</script>', html, re.S)
    assert m, "no embedded configuration"
    return json.loads(m.group(1))


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_page_in_each_language(client, lang):
    r = client.get("/", params={"lang": lang})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    s = strings(lang)
    assert f'<html lang="{lang}">' in html
    assert "{{" not in html, "a placeholder was left unfilled"
    for key in ("from", "to", "profile", "modes", "plan", "results_heading", "use_location"):
        assert f">{s[key]}<" in html, key
    other = "ro" if lang == "en" else "en"
    assert f'href="?lang={other}"' in html and f'lang="{other}"' in html      # the visible switch
    cfg = _config(html)
    assert cfg["lang"] == lang and cfg["strings"]["plan"] == s["plan"] and cfg["leaflet"] is True
    assert cfg["tileUrl"] == "" and "OpenStreetMap" in cfg["attribution"]


def test_language_from_accept_language_and_fallback(client):
    assert '<html lang="ro">' in client.get("/", headers={"Accept-Language": "ro-RO,ro;q=0.9,en;q=0.8"}).text
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "de-DE"}).text
    assert '<html lang="en">' in client.get("/", params={"lang": "xx"}).text


def test_translations_are_complete():
    en, ro = strings("en"), json.loads((Path(maas.__file__).parent / "service/web/i18n/ro.json").read_text("utf-8"))
    assert set(en) == set(ro), f"missing in ro: {set(en) - set(ro)}; extra: {set(ro) - set(en)}"
    same = [k for k in en if en[k] == ro[k] and k not in ("co2", "minutes", "metres", "kilometres", "grams",
                                                          "hours_minutes", "park_ride_heading", "mode_park_ride")]
    assert not same, f"untranslated: {same}"
    # every message code the README lists is worded in both languages
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    para = readme[readme.index("Message codes when something is missing"):]
    codes = re.findall(r"`([A-Z_]{4,})`", para[:para.index("\n\n")])
    assert len(codes) >= 10
    assert [c for c in codes if f"msg_{c}" not in en or f"msg_{c}" not in ro] == []
    # every key the script asks for exists
    js = (Path(maas.__file__).parent / "service/web/static/app.js").read_text("utf-8")
    used = set(re.findall(r'\bt\("([a-z_A-Z]+)"', js))
    prefixes = {u for u in used if u.endswith("_")}         # t("kind_" + kind): a family of keys
    assert used and used - prefixes <= set(en), used - prefixes - set(en)
    assert all(any(k.startswith(p) for k in en) for p in prefixes), prefixes


def test_static_files_and_leaflet_are_served(client):
    for path, kind in (("/static/app/app.js", "javascript"), ("/static/app/app.css", "css"),
                       ("/static/leaflet/leaflet.js", "javascript"), ("/static/leaflet/leaflet.css", "css")):
        r = client.get(path)
        assert r.status_code == 200 and kind in r.headers["content-type"], path
    assert client.get("/static/leaflet/missing.js").status_code == 404
    # the API is unchanged beside it
    assert client.get("/v1/health").json()["status"] == "ok"
    assert "/" not in client.get("/openapi.json").json()["paths"]


def test_tile_url_from_environment(client, monkeypatch):
    assert "img-src 'self' data:;" in client.get("/").headers["content-security-policy"]
    monkeypatch.setenv("MAAS_TILE_URL", "https://{s}.tiles.example.test/{z}/{x}/{y}.png")
    r = client.get("/")
    cfg = _config(r.text)
    assert cfg["tileUrl"] == "https://{s}.tiles.example.test/{z}/{x}/{y}.png"
    assert "OpenStreetMap" in cfg["attribution"]
    csp = r.headers["content-security-policy"]
    assert "img-src 'self' data: https://*.tiles.example.test;" in csp and "script-src 'self';" in csp
    monkeypatch.setenv("MAAS_TILE_ATTRIBUTION", "© OpenStreetMap contributors, tiles © Example")
    assert _config(client.get("/").text)["attribution"] == "© OpenStreetMap contributors, tiles © Example"


# ------------------------------------------------------------------------------------------
# browser
# ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    problem = webtools.browser_problem()
    if problem:
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = webtools.launch(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def tiles():
    with webtools.tile_server() as t:
        yield t


@pytest.fixture(scope="module")
def sample_base(browser, sample_folder, tiles, tmp_path_factory):
    with webtools.serve(sample_folder, tmp_path_factory.mktemp("serve") / "serve.log", tiles=tiles[0]) as base:
        yield base


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    yield pg
    ctx.close()
    assert not errors, f"JavaScript errors or CSP violations: {errors}"


def axe_blocking(pg) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe
    res = Axe().run(pg)
    out = []
    for v in res.response["violations"]:
        if v.get("impact") in BLOCKING:
            targets = [", ".join(map(str, n.get("target", []))) for n in v["nodes"][:5]]
            out.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    return out


def wait_results(pg, lang: str):
    s = strings(lang)
    pattern = "|".join(re.escape(x).replace(r"\{n\}", r"\d+") for x in
                       (s["announce_results"], s["announce_one"], s["announce_none"]))
    pg.wait_for_function("re => new RegExp(re).test(document.getElementById('status').textContent)",
                         arg=pattern, timeout=30000)


def pick(pg, field: str, text: str, prefer: str | None = None) -> str:
    """Type into a combobox and choose a suggestion with the arrow keys and Enter; returns its name."""
    box = pg.locator(f"#{field}")
    assert pg.evaluate("document.activeElement.id") == field
    pg.keyboard.type(text, delay=20)
    pg.wait_for_selector(f"#{field}-list [role=option][id]", timeout=15000)
    assert box.get_attribute("aria-expanded") == "true"
    names = pg.locator(f"#{field}-list [role=option] .name").all_inner_texts()
    target = next((i for i, n in enumerate(names) if prefer and prefer.lower() in n.lower()), 0)
    for _ in range(target + 1):
        pg.keyboard.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert active == f"{field}-opt-{target}"
    assert pg.locator(f"#{active}").get_attribute("aria-selected") == "true"
    pg.keyboard.press("Enter")
    assert box.get_attribute("aria-expanded") == "false"
    assert box.input_value() == names[target]
    return names[target]


def api_plan(base: str, pg) -> dict:
    """/v1/plan for exactly the request the page made."""
    last = pg.evaluate("window.MAAS.lastPlan")
    assert last and last["ok"], last
    r = httpx.get(f"{base}/v1/plan?{last['query']}", timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def check_against_api(pg, body: dict, lang: str) -> None:
    """The list named "Itineraries" shows the API's itineraries; the first one, opened, its legs."""
    s = strings(lang)
    its = body["itineraries"]
    lst = pg.get_by_role("list", name=s["results_heading"], exact=True)
    items = lst.locator(":scope > li")
    assert items.count() == len(its) >= 1
    for i, it in enumerate(its):
        btn_text = items.nth(i).locator(".itin-btn").inner_text()
        assert f"{hhmm(it['departure'])} – {hhmm(it['arrival'])}" in btn_text
    for i, it in enumerate(its):
        badges = items.nth(i).locator(".badges").inner_text()
        transit = [leg for leg in it["legs"] if leg.get("trip_id")]
        if any(leg.get("realtime") for leg in transit):
            assert s["badge_realtime"] in badges
        elif transit:
            assert s["badge_scheduled"] in badges
        if any(leg.get("alerts") for leg in it["legs"]):
            assert s["badge_alert"] in badges
    first = its[0]
    btn = items.first.locator(".itin-btn")
    btn.focus()
    pg.keyboard.press("Enter")                      # a disclosure button, opened by keyboard
    assert btn.get_attribute("aria-expanded") == "true"
    legs = items.first.locator(".leg")
    assert legs.count() == len(first["legs"])
    leg0, shown0 = first["legs"][0], legs.first.inner_text()
    assert hhmm(leg0["departure"]) in shown0 and hhmm(leg0["arrival"]) in shown0
    if leg0.get("route_short_name"):
        assert re.search(rf"\b{re.escape(leg0['route_short_name'])}\b", legs.first.locator(".leg-title").inner_text())
    if leg0.get("headsign"):
        assert leg0["headsign"] in shown0
    if leg0["from"].get("name"):
        assert leg0["from"]["name"] in shown0
    for i, leg in enumerate(first["legs"]):                  # every leg's words, as the API gives them
        shown = legs.nth(i)
        assert f"{hhmm(leg['departure'])}" in shown.inner_text()
        for note in leg.get("accessibility_notes") or []:
            assert note["text"] in shown.inner_text(), note
        if leg.get("realtime") and leg.get("scheduled_departure") and leg["scheduled_departure"] != leg["departure"]:
            assert s["scheduled_at"].format(time=hhmm(leg["scheduled_departure"])) in shown.inner_text()
        for alert in leg.get("alerts") or []:
            assert alert["header"] in shown.inner_text(), alert
        if leg.get("steps"):
            shown.locator("details summary", has_text=s["steps"]).click()
            assert shown.locator(".steps li").count() == len(leg["steps"])
            assert leg["steps"][0]["instruction"] in shown.inner_text()
    # drawn on the map: one line per leg, styled by its mode
    pg.wait_for_function("n => document.querySelectorAll('path.leg-line').length === n", arg=len(first["legs"]))
    classes = pg.eval_on_selector_all("path.leg-line", "els => els.map(e => e.getAttribute('class'))")
    assert [c for c in classes if f"leg-{leg0['mode']}" in c]


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "ro"])
def test_keyboard_plan_matches_api(page, sample_base, lang):
    s = strings(lang)
    page.goto(f"{sample_base}/?lang={lang}&date={DAY}&time={TIME}")
    assert axe_blocking(page) == []                                  # the empty page
    page.keyboard.press("Tab")                                       # skip link
    page.keyboard.press("Tab")                                       # language switch
    page.keyboard.press("Tab")
    pick(page, "from", "gara de n")                                  # diacritics and case folded
    for _ in range(3):                                               # use my location, swap, To
        page.keyboard.press("Tab")
    pick(page, "to", "Iulius")
    page.keyboard.press("Enter")                                     # submits the form
    wait_results(page, lang)
    body = api_plan(sample_base, page)
    assert axe_blocking(page) == []                                  # the results
    check_against_api(page, body, lang)
    assert axe_blocking(page) == []                                  # an opened itinerary
    assert page.locator("#status").get_attribute("role") == "status"
    assert page.locator("#status").get_attribute("aria-live") == "polite"
    # the language switch keeps the trip: the other language plans the same one by itself
    other = "ro" if lang == "en" else "en"
    page.locator("#lang-switch").click()
    page.wait_for_url(re.compile(rf"lang={other}"))
    wait_results(page, other)
    assert page.evaluate("document.documentElement.lang") == other
    again = page.get_by_role("list", name=strings(other)["results_heading"], exact=True).locator(":scope > li .times")
    assert again.all_inner_texts() == [f"{hhmm(i['departure'])} – {hhmm(i['arrival'])}" for i in body["itineraries"]]


@pytest.mark.browser
def test_wheelchair_profile_shows_only_step_free_legs(page, sample_base):
    s = strings("en")
    q = f"from=stop:GN&fromName=Gara+de+Nord&to=stop:IM&toName=Iulius+Mall&date={DAY}&time={TIME}"

    def badges(profile: str) -> tuple[list[str], dict]:
        page.goto(f"{sample_base}/?lang=en&{q}&profile={profile}")          # the URL plans by itself
        wait_results(page, "en")
        for b in page.locator("#itineraries .itin-btn").all():
            b.click()
        return page.locator("#itineraries .leg .access .badge").all_inner_texts(), api_plan(sample_base, page)

    shown, body = badges("default")
    assert s["badge_not_step_free"] in shown     # the control: the default plan uses a not step-free tram
    shown, body = badges("wheelchair")
    assert body["itineraries"], body["messages"]
    assert shown and s["badge_not_step_free"] not in shown, shown
    assert all(leg.get("wheelchair") != "not_accessible" for it in body["itineraries"] for leg in it["legs"])
    assert page.locator("#profile").input_value() == "wheelchair"


@pytest.mark.browser
def test_escape_closes_suggestions_and_empty_fields_are_reported(page, sample_base):
    s = strings("en")
    page.goto(f"{sample_base}/?lang=en")
    page.locator("#from").focus()
    page.keyboard.type("Piata")
    page.wait_for_selector("#from-list [role=option][id]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    assert page.locator("#from").get_attribute("aria-expanded") == "false"
    assert page.locator("#from").get_attribute("aria-activedescendant") is None
    assert page.locator("#from-list").is_hidden()
    page.locator("#from").fill("")
    page.locator("#plan").click()
    page.wait_for_function("t => document.getElementById('status').textContent === t", arg=s["need_places"])
    assert page.locator("#from").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "from"


@pytest.mark.browser
def test_stop_marker_opens_departures(page, sample_base):
    page.goto(f"{sample_base}/?lang=en&from=stop:GN&fromName=Gara+de+Nord&to=stop:IM&toName=Iulius+Mall"
              f"&date={DAY}&time={TIME}")
    wait_results(page, "en")
    page.locator("#itineraries .itin-btn").first.click()
    marker = page.locator(".leaflet-marker-icon[data-stop-id][role=button]").first
    marker.wait_for()
    stop_id, label = marker.get_attribute("data-stop-id"), marker.get_attribute("aria-label")
    assert marker.get_attribute("role") == "button" and marker.get_attribute("tabindex") == "0"
    marker.focus()
    page.keyboard.press("Enter")                                     # keyboard, not only the mouse
    dep = page.locator("#departures")
    dep.wait_for(state="visible")
    name = httpx.get(f"{sample_base}/v1/stops?limit=10000").json()
    name = next(x["name"] for x in name["stops"] if x["stop_id"] == stop_id)
    assert name in label and name in page.locator("#dep-h").inner_text()
    page.wait_for_function("() => !/Loading|Se încarcă/.test(document.getElementById('dep-body').textContent)")
    r = httpx.get(f"{sample_base}/v1/stops/{stop_id}/departures", params={"date": DAY, "time": TIME, "limit": 10})
    text = page.locator("#dep-body").inner_text()
    if r.status_code == 200:
        deps = r.json()["departures"]
        rows = page.locator("#dep-body tbody tr")
        assert rows.count() == len(deps)
        if deps:
            assert deps[0]["route_short_name"] in rows.first.inner_text()
            assert (deps[0].get("headsign") or "") in rows.first.inner_text()
    else:                                   # a server without the departures endpoint says so in words
        assert "not available" in text
    assert axe_blocking(page) == []


@pytest.mark.browser
def test_map_tiles_attribution_and_mode_styles(page, sample_base, tiles):
    page.goto(f"{sample_base}/?lang=en")
    page.wait_for_selector(".leaflet-tile-loaded")
    assert any(p.startswith("/tiles/") and p.endswith(".png") for p in tiles[1])   # the configured URL
    assert "OpenStreetMap contributors" in page.locator(".leaflet-control-attribution").inner_text()
    styles = page.evaluate("window.MAAS.MODE_STYLE")
    for mode, st in styles.items():
        for bg in ("#f3f3ef", "#ffffff"):      # the blank map, and the white casing under every line
            assert webtools.contrast(st["color"], bg) >= 3.0, (mode, st["color"], bg)
    dashes = [st["dash"] or "solid" for st in styles.values()]
    assert len(set(dashes)) == len(dashes), dashes
    legend = page.locator("#legend li").all_inner_texts()
    assert len(legend) == len(styles) and "Tram" in legend


@pytest.mark.browser
def test_text_at_200_percent_and_reflow_at_320px(page, sample_base):
    q = f"from=stop:GN&fromName=Gara+de+Nord&to=stop:IM&toName=Iulius+Mall&date={DAY}&time={TIME}"
    page.goto(f"{sample_base}/?lang=ro&{q}")
    wait_results(page, "ro")
    page.locator("#itineraries .itin-btn").first.click()
    base_h = page.locator("#plan").bounding_box()["height"]
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.locator("#plan").bounding_box()["height"] > 1.7 * base_h      # the text really grew
    no_hscroll = "document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth + 1"
    assert page.evaluate(no_hscroll)
    clipped = page.evaluate("""() => [...document.querySelectorAll('button, label, .leg, .facts dd, h2, h3, h4')]
        .filter(e => e.offsetParent && !e.closest('.visually-hidden') && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible')
        .map(e => e.id || e.className || e.tagName)""")
    assert clipped == []
    page.evaluate("document.documentElement.style.fontSize = ''")
    page.set_viewport_size({"width": 320, "height": 640})                  # WCAG 1.4.10 reflow
    assert page.evaluate(no_hscroll)
    assert page.locator("#itineraries > li").first.is_visible()


@pytest.mark.browser
def test_first_load_transfer_size(page, sample_base, record_property):
    page.goto(f"{sample_base}/?lang=en")
    page.wait_for_load_state("networkidle")
    sizes = page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const res = performance.getEntriesByType('resource').filter(r => !r.name.includes('/tiles/'));
        return {total: nav.transferSize + res.reduce((a, r) => a + r.transferSize, 0), n: res.length + 1};
    }""")
    record_property("first_load_bytes", sizes["total"])
    assert 10_000 < sizes["total"] <= 500_000, sizes


# ------------------------------------------------------------------------------------------
# STPT (+ OSM once the build reads it): "Gara de Nord" -> "Iulius Town"
# ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def stpt_base(browser, tmp_path_factory):
    out = tmp_path_factory.mktemp("web-stpt") / "net"
    if webtools.stpt_network(out, mobility=False) is None:
        pytest.skip(f"shared data not available: {STPT_GTFS} is missing")
    with webtools.serve(out, out.parent / "serve.log") as base:
        yield base


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "ro"])
def test_stpt_gara_de_nord_to_iulius_town(page, stpt_base, lang):
    page.goto(f"{stpt_base}/?lang={lang}&date={DAY}&time={TIME}")
    for _ in range(3):                                               # skip link, language, From
        page.keyboard.press("Tab")
    pick(page, "from", "Gara de Nord", prefer="Gara de Nord")
    for _ in range(3):                                               # use my location, swap, To
        page.keyboard.press("Tab")
    chosen = pick(page, "to", "Iulius", prefer="Iulius Town")
    geo = httpx.get(f"{stpt_base}/v1/geocode", params={"text": "Iulius Town", "limit": 3})
    if geo.status_code == 200 and any(x["name"] == "Iulius Town" for x in geo.json()["results"]):
        assert chosen == "Iulius Town"              # the OSM place, once the network has it
    page.keyboard.press("Enter")
    wait_results(page, lang)
    body = api_plan(stpt_base, page)
    assert body["to"]["name"] == chosen
    check_against_api(page, body, lang)
    assert axe_blocking(page) == []
    # wheelchair: the same trip, only step-free legs shown (chosen and planned by keyboard)
    page.locator("#to").focus()
    page.keyboard.press("Tab")                                       # Profile
    assert page.evaluate("document.activeElement.id") == "profile"
    page.keyboard.press("End")                                       # the last choice: wheelchair
    assert page.locator("#profile").input_value() == "wheelchair"
    page.keyboard.press("Shift+Tab")                                 # back to To
    page.keyboard.press("Enter")
    page.wait_for_function("() => (window.MAAS.lastPlan || {}).query && window.MAAS.lastPlan.query.includes('wheelchair')")
    wait_results(page, lang)
    body = api_plan(stpt_base, page)
    assert "profile=wheelchair" in page.evaluate("window.MAAS.lastPlan.query")
    assert body["itineraries"], body["messages"]
    assert page.locator("#itineraries > li").count() == len(body["itineraries"])
    for b in page.locator("#itineraries .itin-btn").all():
        b.click()
    shown = page.locator("#itineraries .leg .access .badge").all_inner_texts()
    assert shown and strings(lang)["badge_not_step_free"] not in shown
    assert all(leg.get("wheelchair") != "not_accessible" for it in body["itineraries"] for leg in it["legs"])
    assert axe_blocking(page) == []


@pytest.mark.browser
def test_all_modes_and_park_and_ride_in_words(page, sample_base):
    s = strings("en")
    page.goto(f"{sample_base}/?lang=en&date={DAY}&time={TIME}&modes=WALK,TRANSIT,BIKE_SHARE,CAR_SHARE,PARK_RIDE")
    assert page.locator("#mode-pr").is_checked() and page.locator("#mode-car").is_checked()
    page.locator("#from").fill("45.8000,21.2500")           # coordinates typed as they are
    page.locator("#to").focus()
    pick(page, "to", "Piata Victoriei", prefer="Piața Victoriei")
    page.keyboard.press("Enter")
    wait_results(page, "en")
    body = api_plan(sample_base, page)
    assert "PARK_RIDE" in page.evaluate("window.MAAS.lastPlan.query")
    assert body["park_and_ride"], "the sample has P+R lots north of the centre"
    pr = page.get_by_role("list", name=s["park_ride_heading"], exact=True).locator(":scope > li")
    assert pr.count() == len(body["park_and_ride"])
    for i, opt in enumerate(body["park_and_ride"]):
        text = pr.nth(i).inner_text()
        assert opt["lot"]["name"] in text
        assert f"{hhmm(opt['itinerary']['departure'])} – {hhmm(opt['itinerary']['arrival'])}" in text
    chains = page.locator("#itineraries .itin-btn .chain").all_inner_texts()
    names = {"CAR_SHARE": s["leg_car_share"], "BIKE_SHARE": s["leg_bike_share"]}
    for it, chain in zip(body["itineraries"], chains):
        for leg in it["legs"]:
            if leg["mode"] in names:
                assert names[leg["mode"]] in chain
    pr.first.locator(".itin-btn").click()                     # a P+R option draws its car leg
    page.wait_for_selector("path.leg-line.leg-CAR")
    assert axe_blocking(page) == []


# A plan shaped as the architecture's HTTP contract, with what the sample network cannot produce
# yet (real-time delays, alerts, walking steps, polyline-only geometry, messages), served to the
# page in place of /v1/plan: the page must show each of them in words.
CONTRACT_PLAN = {
    "from": {"name": "Gara de Nord", "lat": 45.7503, "lon": 21.2081, "kind": "stop", "stop_id": "GN"},
    "to": {"name": "Iulius Town", "lat": 45.7665, "lon": 21.2270, "kind": "poi"},
    "itineraries": [{
        "departure": "2026-11-24T08:03:00+02:00", "arrival": "2026-11-24T08:31:00+02:00", "duration_s": 1680,
        "transfers": 0, "walk_distance_m": 420.0, "co2_g": 310, "price": {"amount": 3.0, "currency": "RON"},
        "legs": [
            {"mode": "TRAM", "departure": "2026-11-24T08:05:00+02:00", "arrival": "2026-11-24T08:24:00+02:00",
             "scheduled_departure": "2026-11-24T08:03:00+02:00", "scheduled_arrival": "2026-11-24T08:22:00+02:00",
             "distance_m": 2500.0, "realtime": True, "realtime_source": "trip_update", "delay_s": 120,
             "from": {"name": "Gara de Nord", "lat": 45.7504, "lon": 21.2072, "stop_id": "GN"},
             "to": {"name": "Piața Unirii", "lat": 45.7578, "lon": 21.2290, "stop_id": "PU"},
             "route_short_name": "1", "route_id": "1", "trip_id": "t1", "headsign": "Piața Romanilor",
             "wheelchair": "accessible", "intermediate_stops": [], "geometry": [],
             "polyline": "_p~iF~ps|U_ulLnnqC_mqNvxq`@",
             "alerts": [{"id": "a1", "header": "Works on Bd. Republicii", "description": "Tram 1 detours via Piața Maria.",
                         "effect": "DETOUR", "cause": "CONSTRUCTION", "url": None}]},
            {"mode": "WALK", "departure": "2026-11-24T08:24:00+02:00", "arrival": "2026-11-24T08:31:00+02:00",
             "distance_m": 420.0, "street_model": "osm",
             "from": {"name": "Piața Unirii", "lat": 45.7578, "lon": 21.2290, "stop_id": "PU"},
             "to": {"name": "", "lat": 45.7665, "lon": 21.2270},
             "geometry": [[45.7578, 21.2290], [45.7600, 21.2285], [45.7665, 21.2270]],
             "steps": [{"instruction": "Turn left onto Bulevardul Revoluției din 1989",
                        "street": "Bulevardul Revoluției din 1989", "distance_m": 120.0, "lat": 45.75, "lon": 21.22}]},
        ]}],
    "park_and_ride": [],
    "messages": [{"code": "GBFS_STALE", "text": "bike share status is 20 minutes old"}],
}
CONTRACT_DEPARTURES = {
    "stop": {"stop_id": "GN", "name": "Gara de Nord", "lat": 45.7504, "lon": 21.2072},
    "departures": [
        {"route_short_name": "1", "headsign": "Piața Romanilor", "trip_id": "t1", "scheduled": "2026-11-24T08:03:00+02:00",
         "expected": "2026-11-24T08:05:00+02:00", "delay_s": 120, "realtime": True, "cancelled": False,
         "wheelchair": "accessible"},
        {"route_short_name": "33", "headsign": "Shopping City", "trip_id": "t2", "scheduled": "2026-11-24T08:10:00+02:00",
         "expected": None, "delay_s": None, "realtime": False, "cancelled": True, "wheelchair": "unknown"},
    ],
    "messages": [{"code": "REALTIME_STALE", "text": "real-time data is 10 minutes old"}]}


CONTRACT_VEHICLES = {"vehicles": [
    {"id": "v1", "trip_id": "t1", "route_short_name": "1", "lat": 45.7520, "lon": 21.2150, "bearing": 80,
     "delay_s": 120, "timestamp": 1795500240},                     # 2026-11-24 08:04 in Timișoara
    {"id": "v2", "trip_id": "other", "route_short_name": "33", "lat": 45.74, "lon": 21.22, "bearing": 0,
     "delay_s": 0, "timestamp": 1795500240}]}


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "ro"])
def test_contract_fields_are_shown_in_words(page, sample_base, lang):
    s = strings(lang)
    page.route("**/v1/plan?*", lambda route: route.fulfill(json=CONTRACT_PLAN))
    page.route("**/v1/stops/GN/departures?*", lambda route: route.fulfill(json=CONTRACT_DEPARTURES))
    page.route("**/v1/transit-vehicles", lambda route: route.fulfill(json=CONTRACT_VEHICLES))
    page.goto(f"{sample_base}/?lang={lang}&from=stop:GN&fromName=Gara+de+Nord&to=45.7665,21.2270&date={DAY}&time={TIME}")
    wait_results(page, lang)
    item = page.locator("#itineraries > li").first
    badges = item.locator(".badges").inner_text()
    assert s["badge_realtime"] in badges and s["badge_step_free"] in badges and s["badge_alert"] in badges
    item.locator(".itin-btn").click()
    text = item.inner_text()
    assert "08:05" in text and s["delay_late"].format(n=2) in text and s["scheduled_at"].format(time="08:03") in text
    assert "Works on Bd. Republicii" in text and "Tram 1 detours via Piața Maria." in text
    assert s["to_place"].format(place="Iulius Town") in text             # the end named from the answer
    item.locator("details summary", has_text=s["steps"]).click()
    assert "Turn left onto Bulevardul Revoluției din 1989" in item.inner_text()
    messages = page.locator("#messages-list").inner_text()
    assert (s["msg_GBFS_STALE"] if lang == "ro" else "bike share status is 20 minutes old") in messages
    # the tram leg had only a polyline: decoded and drawn
    assert page.evaluate("window.MAAS.decodePolyline('_p~iF~ps|U_ulLnnqC_mqNvxq`@')") == [
        [38.5, -120.2], [40.7, -120.95], [43.252, -126.453]]
    page.wait_for_selector("path.leg-line.leg-TRAM", state="attached")   # drawn; may lie outside the view
    # the trip's live vehicle: on the map, and said in the leg
    page.wait_for_selector(".vehicle-marker")
    assert page.locator(".vehicle-marker").count() == 1 and page.locator(".vehicle-marker").inner_text() == "1"
    assert s["vehicle_note"].format(time="08:04") in item.locator('.leg[data-trip-id="t1"]').inner_text()
    assert axe_blocking(page) == []
    # a stop's departures, from the leg's text (not only the map)
    item.get_by_role("button", name=s["departures_from"].format(stop="Gara de Nord")).first.click()
    rows = page.locator("#dep-body tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2
    assert "08:05" in rows.nth(0).inner_text() and s["delay_late"].format(n=2) in rows.nth(0).inner_text()
    assert s["cancelled"] in rows.nth(1).inner_text() and "Shopping City" in rows.nth(1).inner_text()
    note = s["msg_REALTIME_STALE"] if lang == "ro" else "real-time data is 10 minutes old"
    assert note in page.locator("#dep-body").inner_text()
    assert page.evaluate("document.activeElement.id") == "departures"
    assert axe_blocking(page) == []


@pytest.mark.browser
def test_my_location_swap_and_arrive_by(browser, sample_base):
    s = strings("en")
    ctx = browser.new_context(geolocation={"latitude": 45.7515, "longitude": 21.2118}, permissions=["geolocation"])
    try:
        pg = ctx.new_page()
        pg.goto(f"{sample_base}/?lang=en&date={DAY}&time=09:00")
        pg.locator("#locate").focus()
        pg.keyboard.press("Enter")
        pg.wait_for_function("t => document.getElementById('from').value.startsWith(t)", arg=s["my_location"])
        pg.locator("#to").focus()
        pick(pg, "to", "Iulius")
        pg.locator("#swap").click()                                  # now from Iulius Mall to my location
        assert pg.locator("#to").input_value().startswith(s["my_location"])
        pg.locator("#arrive-by").check()
        pg.locator("#plan").click()
        wait_results(pg, "en")
        q = pg.evaluate("window.MAAS.lastPlan.query")
        assert "arriveBy=true" in q and "to=45.751500%2C21.211800" in q
        body = api_plan(sample_base, pg)
        assert body["itineraries"]
        shown = pg.locator("#itineraries .itin-btn .times").all_inner_texts()
        assert [f"{hhmm(i['departure'])} – {hhmm(i['arrival'])}" for i in body["itineraries"]] == shown
        assert all(hhmm(i["arrival"]) <= "09:00" for i in body["itineraries"])
    finally:
        ctx.close()


@pytest.mark.browser
def test_focus_is_always_visible(page, sample_base):
    page.goto(f"{sample_base}/?lang=en&from=stop:GN&fromName=Gara+de+Nord&to=stop:IM&toName=Iulius+Mall"
              f"&date={DAY}&time={TIME}")
    wait_results(page, "en")
    page.locator("#itineraries .itin-btn").first.evaluate("b => b.click()")   # keeps Tab's start at the top
    seen = []
    for _ in range(60):                       # Tab through the page: form, results, legs, map, markers
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const e = document.activeElement, cs = getComputedStyle(e);
            return {tag: e.tagName, id: e.id, cls: String(e.className), w: parseFloat(cs.outlineWidth) || 0,
                    style: cs.outlineStyle, shadow: cs.boxShadow}; }""")
        if info["tag"] == "BODY":
            break
        seen.append(info)
        assert (info["style"] != "none" and info["w"] >= 2) or info["shadow"] != "none", info
    kinds = {i["id"] for i in seen} | {i["cls"] for i in seen}
    assert {"from", "to", "plan"} <= kinds and any("itin-btn" in k for k in kinds)
    assert any("leaflet-marker-icon" in k for k in kinds)          # the stop markers are reachable


@pytest.mark.browser
def test_later_trips_and_network_alerts(page, sample_base):
    s = strings("en")
    alerts = {"alerts": [{"id": "a9", "header": "Tram 1 diverted", "description": "Works at Piața Maria.",
                          "effect": "DETOUR", "cause": "CONSTRUCTION", "url": None}]}
    page.route("**/v1/alerts", lambda route: route.fulfill(json=alerts))
    page.goto(f"{sample_base}/?lang=en&from=stop:GN&fromName=Gara+de+Nord&to=stop:IM&toName=Iulius+Mall"
              f"&date={DAY}&time={TIME}")
    wait_results(page, "en")
    page.get_by_role("heading", name=s["service_alerts"]).wait_for()
    assert "Tram 1 diverted" in page.locator("#network-alerts").inner_text()
    first = api_plan(sample_base, page)
    last_dep = max(hhmm(i["departure"]) for i in first["itineraries"])
    h, m = map(int, last_dep.split(":"))
    expect = f"{h + (m + 1) // 60:02d}:{(m + 1) % 60:02d}"
    page.get_by_role("button", name=s["later"]).click()
    page.wait_for_function("t => window.MAAS.lastPlan.query.includes('time=' + encodeURIComponent(t))", arg=expect)
    wait_results(page, "en")
    body = api_plan(sample_base, page)
    shown = page.locator("#itineraries .itin-btn .times").all_inner_texts()
    assert shown == [f"{hhmm(i['departure'])} – {hhmm(i['arrival'])}" for i in body["itineraries"]]
    assert all(hhmm(i["departure"]) >= expect for i in body["itineraries"] if i["legs"][0].get("trip_id"))
    assert page.locator("#time").input_value() == expect
    assert axe_blocking(page) == []


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "ro"])
def test_errors_and_empty_answers_in_words(page, sample_base, lang):
    s = strings(lang)
    # a start 20 km from any stop: 200, no itinerary, a message the page words itself
    page.goto(f"{sample_base}/?lang={lang}&from=45.6,21.0&to=stop:IM&toName=Iulius+Mall&date={DAY}&time={TIME}")
    wait_results(page, lang)
    body = api_plan(sample_base, page)
    assert body["itineraries"] == [] and body["messages"]
    status = page.locator("#status").inner_text()
    assert status.startswith(s["announce_none"])
    codes = page.locator("#messages-list li").evaluate_all("els => els.map(e => e.dataset.code)")
    assert codes == [m["code"] for m in body["messages"]]
    for m in body["messages"]:
        words = s.get(f"msg_{m['code']}") if lang == "ro" else m["text"]
        assert words and words in page.locator("#messages-list").inner_text()
    assert page.locator("#itineraries").is_hidden()
    # a place the server cannot resolve: 422, its reason shown and announced
    page.locator("#from").fill("qqqzzzxxyy nowhere")
    page.locator("#plan").click()
    page.wait_for_function("() => document.getElementById('status').classList.contains('error')"
                           " && document.getElementById('status').textContent !== ''")
    reason = page.locator("#status").inner_text()
    r = httpx.get(f"{sample_base}/v1/plan?{page.evaluate('window.MAAS.lastPlan.query')}")
    assert r.status_code == 422 and r.json()["detail"][0]["msg"] in reason
    assert axe_blocking(page) == []
