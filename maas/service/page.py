"""The web page at ``/``: an accessible trip planner served by the API's own process.

Design:

* Everything comes from package data (``maas/service/web/``): ``index.html`` is a template whose
  ``{{key}}`` placeholders are filled from ``i18n/<lang>.json`` on the server, so the page arrives
  in its language (``<html lang>``, labels) before any script runs; the same strings go to the
  script in an embedded JSON block. ``app.js`` and ``app.css`` are plain files: no build step.
* Leaflet comes from the ``XStatic-Leaflet`` Python package and is served under
  ``/static/leaflet/``: never a CDN. Without it the page still plans and lists itineraries.
* The base-map tile URL is configuration (``MAAS_TILE_URL``, or ``maas serve --tiles URL``);
  empty means no tiles: the legs and stops are drawn on a blank map. The OpenStreetMap
  attribution is always shown.
* Language: ``?lang=en|ro``, else the browser's ``Accept-Language`` (Romanian first wins), else
  English.
"""
from __future__ import annotations

import functools
import html
import json
import os
import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

WEB_DIR = Path(__file__).with_name("web")
LANGS = ("en", "ro")
DEFAULT_ATTRIBUTION = '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'


@functools.lru_cache(maxsize=None)
def strings(lang: str) -> dict[str, str]:
    """The page's strings in ``lang`` (English ones fill any key the translation lacks)."""
    base = json.loads((WEB_DIR / "i18n" / "en.json").read_text(encoding="utf-8"))
    if lang != "en":
        base.update(json.loads((WEB_DIR / "i18n" / f"{lang}.json").read_text(encoding="utf-8")))
    return base


@functools.lru_cache(maxsize=None)
def _template() -> str:
    return (WEB_DIR / "index.html").read_text(encoding="utf-8")


def leaflet_dir() -> Path | None:
    """Where XStatic-Leaflet keeps ``leaflet.js`` and ``leaflet.css`` (None when not installed)."""
    try:
        import xstatic.pkg.leaflet as xl
    except ImportError:
        return None
    d = Path(xl.BASE_DIR)
    return d if (d / "leaflet.js").is_file() else None


def pick_lang(query: str | None, accept: str | None) -> str:
    if query in LANGS:
        return query
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGS:
            return tag
    return "en"


def render_page(lang: str, tile_url: str | None = None, attribution: str | None = None) -> str:
    """``index.html`` in ``lang`` with the page's configuration embedded."""
    s = strings(lang)
    config = {"lang": lang, "strings": s, "tileUrl": tile_url or "",
              "attribution": attribution or DEFAULT_ATTRIBUTION,
              "leaflet": leaflet_dir() is not None}
    # "</" would end the <script> block early
    blob = json.dumps(config, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    other = "ro" if lang == "en" else "en"
    fill = {"lang": lang, "other_lang": other, "other_lang_name": strings(other)["lang_name"],
            "config": blob}
    out = _template()
    for key, value in fill.items():
        out = out.replace("{{" + key + "}}", value)
    for key, value in s.items():
        out = out.replace("{{" + key + "}}", html.escape(value))
    return out


def tile_origin(tile_url: str) -> str | None:
    """The CSP source that lets the page load tiles from ``tile_url`` (``{s}`` subdomains as ``*``)."""
    m = re.match(r"^(https?)://([^/?#]+)", tile_url.strip())
    if not m:
        return None
    host = re.sub(r"\{[a-z]+\}", "*", m.group(2))
    if not re.fullmatch(r"[A-Za-z0-9.*-]+(:\d+)?", host) or "*" in host.split(".")[-1]:
        return f"{m.group(1)}:"
    return f"{m.group(1)}://{host}"


def security_headers(tile_url: str) -> dict[str, str]:
    """Content-Security-Policy and friends for the page: scripts, styles and data from this
    server only, images also from the tile server; nothing can frame it."""
    img = "'self' data:"
    origin = tile_origin(tile_url) if tile_url else None
    if origin:
        img += f" {origin}"
    # inline styles: Leaflet positions its panes and markers with style attributes
    csp = (f"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src {img}; "
           "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
    return {"Content-Security-Policy": csp, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin"}


def mount_web(app: FastAPI) -> None:
    """Add the page at ``/`` and its files under ``/static/`` to ``app``."""
    app.mount("/static/app", StaticFiles(directory=WEB_DIR / "static"), name="web-static")
    ldir = leaflet_dir()
    if ldir is not None:
        app.mount("/static/leaflet", StaticFiles(directory=ldir), name="leaflet")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request, lang: str | None = None) -> HTMLResponse:
        tile = os.environ.get("MAAS_TILE_URL", "").strip()
        attribution = os.environ.get("MAAS_TILE_ATTRIBUTION", "").strip() or None
        body = render_page(pick_lang(lang, request.headers.get("accept-language")), tile, attribution)
        return HTMLResponse(body, headers={"Cache-Control": "no-cache", "Vary": "Accept-Language",
                                           **security_headers(tile)})
