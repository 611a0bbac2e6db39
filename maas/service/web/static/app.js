/* maas trip planner: plain JavaScript, no build step, no dependency but Leaflet (optional).
 *
 * Talks to the same server's /v1 API: /v1/geocode (autocomplete), /v1/plan, /v1/stops,
 * /v1/stops/{id}/departures, /v1/health. Every itinerary is rendered as text first; the map is
 * an extra. Data from the server is only ever inserted as text (textContent), never as HTML.
 */
(function () {
  "use strict";

  const CFG = JSON.parse(document.getElementById("maas-config").textContent);
  const S = CFG.strings;
  const LANG = CFG.lang;

  /** A string of the page's language, with {name} placeholders filled. */
  function t(key, vars) {
    let s = Object.prototype.hasOwnProperty.call(S, key) ? S[key] : key;
    if (vars) for (const k of Object.keys(vars)) s = s.split("{" + k + "}").join(String(vars[k]));
    return s;
  }
  const $ = (id) => document.getElementById(id);

  /** Build an element: el("p", {class: "x"}, "text", childNode, ...). */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === "class") e.className = v;
        else if (k === "text") e.textContent = v;
        else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
        else if (k === "style") e.setAttribute("style", v);
        else e.setAttribute(k, v === true ? "" : String(v));
      }
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  // Colours: each keeps >= 3:1 against the blank map (#f3f3ef) and white (light tiles), and is
  // drawn over a white casing; the dash patterns tell the modes apart without colour.
  const MODE_STYLE = {
    WALK:       {color: "#1a1a1a", dash: "1 9",          key: "leg_walk"},
    TRAM:       {color: "#b0001a", dash: null,           key: "leg_tram"},
    TROLLEYBUS: {color: "#00558f", dash: "16 6",         key: "leg_trolleybus"},
    BUS:        {color: "#6a2c8f", dash: "20 6 3 6",     key: "leg_bus"},
    FERRY:      {color: "#005c70", dash: "6 5",          key: "leg_ferry"},
    RAIL:       {color: "#333333", dash: "14 4 3 4 3 4", key: "leg_rail"},
    BIKE_SHARE: {color: "#17692b", dash: "10 5",         key: "leg_bike_share"},
    CAR_SHARE:  {color: "#8a4500", dash: "24 5 3 5",     key: "leg_car_share"},
    CAR:        {color: "#5e3a00", dash: "28 10",        key: "leg_car"},
  };
  const STREET_MODES = new Set(["WALK", "BIKE_SHARE", "CAR_SHARE", "CAR"]);

  // --------------------------------------------------------------------------- formatting
  const hhmm = (iso) => (iso || "").slice(11, 16);
  const isoDate = (iso) => (iso || "").slice(0, 10);
  function fmtDuration(s) {
    const m = Math.max(0, Math.round(s / 60));
    return m < 60 ? t("minutes", {n: m}) : t("hours_minutes", {h: Math.floor(m / 60), m: m % 60});
  }
  function fmtDistance(m) {
    if (m < 1000) return t("metres", {n: Math.round(m)});
    return t("kilometres", {n: (m / 1000).toLocaleString(LANG, {maximumFractionDigits: 1})});
  }
  function fmtPrice(p) {
    if (!p) return "";
    if (!p.amount) return t("free");
    try {
      return p.amount.toLocaleString(LANG, {style: "currency", currency: p.currency || "RON"});
    } catch (e) {
      return p.amount + " " + (p.currency || "");
    }
  }
  function fmtTransfers(n) {
    return n === 0 ? t("n_transfers_0") : n === 1 ? t("n_transfers_1") : t("n_transfers_n", {n});
  }
  function fmtDelay(delay) {
    const m = Math.round((delay || 0) / 60);
    if (m > 0) return {text: t("delay_late", {n: m}), cls: "delay-late"};
    if (m < 0) return {text: t("delay_early", {n: -m}), cls: "delay-ok"};
    return {text: t("on_time"), cls: "delay-ok"};
  }
  function timeOf(iso, dayIso) {
    const d = isoDate(iso);
    return hhmm(iso) + (dayIso && d && d !== dayIso ? " " + t("on_date", {date: d}) : "");
  }
  function modeName(leg) {
    const st = MODE_STYLE[leg.mode];
    const name = st ? t(st.key) : t("leg_transit");
    return leg.route_short_name ? name + " " + leg.route_short_name : name;
  }
  function placeName(p, fallbackKey) {
    return (p && p.name) || t(fallbackKey || "unnamed_place");
  }
  const fold = (s) => (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

  // --------------------------------------------------------------------------- live regions
  const statusEl = $("status");
  let announceTimer = null;
  function announce(text, isError) {
    window.clearTimeout(announceTimer);      // a newer sentence replaces one not yet shown
    statusEl.classList.toggle("error", !!isError);
    // emptied first so that the same sentence twice is still announced
    statusEl.textContent = "";
    announceTimer = window.setTimeout(() => { statusEl.textContent = text; }, 30);
  }

  async function getJSON(url) {
    const res = await fetch(url, {headers: {"Accept": "application/json"}});
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    return {ok: res.ok, status: res.status, body};
  }
  function reasonOf(r) {
    const d = r.body && r.body.detail;
    if (Array.isArray(d)) return d.map((x) => x.msg).join("; ");
    if (typeof d === "string") return d;
    return "HTTP " + r.status;
  }

  // --------------------------------------------------------------------------- stops
  let stopsPromise = null;          // /v1/stops, fetched once when first needed (names of stops on the way)
  function stopIndex() {
    if (!stopsPromise) {
      stopsPromise = getJSON("/v1/stops?limit=10000").then((r) => {
        const idx = new Map();
        if (r.ok) for (const s of r.body.stops) idx.set(s.stop_id, s);
        return idx;
      }).catch(() => new Map());
    }
    return stopsPromise;
  }

  // --------------------------------------------------------------------------- combobox
  /** The ARIA 1.2 combobox pattern (list autocomplete, aria-activedescendant) on a text input. */
  class Combobox {
    constructor(input) {
      this.input = input;
      this.list = $(input.getAttribute("aria-controls"));
      this.items = [];
      this.active = -1;
      this.timer = null;
      this.seq = 0;
      this.place = null;    // the chosen suggestion: {name, value, lat, lon}
      input.addEventListener("input", () => { this.place = null; input.removeAttribute("aria-invalid"); this.schedule(); });
      input.addEventListener("keydown", (e) => this.onKey(e));
      input.addEventListener("blur", () => window.setTimeout(() => this.close(), 120));
      this.list.addEventListener("mousedown", (e) => e.preventDefault());   // keep focus in the input
      this.list.addEventListener("click", (e) => {
        const li = e.target.closest("[role=option]");
        if (li) this.choose(Number(li.dataset.index));
      });
    }
    isOpen() { return !this.list.hidden; }
    schedule() {
      window.clearTimeout(this.timer);
      const text = this.input.value.trim();
      if (text.length < 2) { this.items = []; this.close(); return; }
      this.timer = window.setTimeout(() => this.search(text), 150);
    }
    async search(text) {
      const seq = ++this.seq;
      let items = [];
      try {
        const near = mapCenter();
        const q = new URLSearchParams({text, limit: "8"});
        if (near) q.set("near", near);
        const r = await getJSON("/v1/geocode?" + q);
        if (r.ok) {
          items = r.body.results.map((x) => ({
            name: x.name, label: x.label && x.label !== x.name ? x.label : "", kind: x.kind,
            value: x.stop_id ? "stop:" + x.stop_id : x.lat.toFixed(6) + "," + x.lon.toFixed(6),
            lat: x.lat, lon: x.lon, stop_id: x.stop_id, id: x.id}));
        } else if (r.status === 404) {
          items = await stopSuggestions(text);     // a server without /v1/geocode: stop names only
        }
      } catch (e) {
        items = [];
      }
      if (seq !== this.seq || this.input.value.trim() !== text) return;   // an older answer
      this.items = items;
      this.render();
      this.open();
      $("combo-status").textContent = items.length ? t("suggestions_count", {n: items.length}) : t("no_suggestions");
    }
    render() {
      this.list.replaceChildren();
      this.active = -1;
      this.input.removeAttribute("aria-activedescendant");
      if (!this.items.length) {
        this.list.append(el("li", {class: "empty", role: "option", "aria-disabled": "true",
                                   id: this.input.id + "-none", "aria-selected": "false"}, t("no_suggestions")));
        return;
      }
      this.items.forEach((it, i) => {
        const kind = it.kind ? t("kind_" + it.kind) : "";
        const extra = [it.label, kind].filter(Boolean).join(" · ");
        this.list.append(el("li", {role: "option", id: this.input.id + "-opt-" + i, "data-index": i,
                                   "aria-selected": "false"},
          el("span", {class: "name"}, it.name), extra ? el("span", {class: "label"}, extra) : null));
      });
    }
    open() { this.list.hidden = false; this.input.setAttribute("aria-expanded", "true"); }
    close() {
      this.list.hidden = true;
      this.input.setAttribute("aria-expanded", "false");
      this.input.removeAttribute("aria-activedescendant");
      this.active = -1;
    }
    move(delta) {
      if (!this.items.length) return;
      const n = this.items.length;
      this.setActive(this.active < 0 ? (delta > 0 ? 0 : n - 1) : (this.active + delta + n) % n);
    }
    setActive(i) {
      const opts = this.list.querySelectorAll("[role=option]");
      opts.forEach((o, j) => o.setAttribute("aria-selected", j === i ? "true" : "false"));
      this.active = i;
      const o = opts[i];
      if (o) {
        this.input.setAttribute("aria-activedescendant", o.id);
        o.scrollIntoView({block: "nearest"});
      }
    }
    onKey(e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (!this.isOpen()) {
          if (this.items.length) { this.open(); this.move(e.key === "ArrowDown" ? 1 : -1); }
          else if (this.input.value.trim().length >= 2) this.search(this.input.value.trim());
          return;
        }
        this.move(e.key === "ArrowDown" ? 1 : -1);
      } else if (e.key === "Enter") {
        if (this.isOpen() && this.active >= 0) { e.preventDefault(); this.choose(this.active); }
      } else if (e.key === "Escape") {
        if (this.isOpen()) { e.preventDefault(); this.close(); }
        else if (this.input.value) { e.preventDefault(); this.set(null); }
      } else if (e.key === "Tab") {
        this.close();
      }
    }
    choose(i) {
      const it = this.items[i];
      if (!it) return;
      this.set(it);
      this.close();
      $("combo-status").textContent = it.name;
    }
    set(place) {
      this.place = place;
      this.input.value = place ? place.name : "";
      this.input.removeAttribute("aria-invalid");
    }
    /** The chosen place as ``stop:<id>`` or ``lat,lon``, or the typed text (geocoded by the server). */
    value() { return this.place ? this.place.value : this.input.value.trim(); }
    /** What /v1/plan gets. A geocoded place goes by its name, so that a station means all of its
     *  stops, as the server resolves it; ``fallback`` is used when the name resolves elsewhere. */
    query() {
      const p = this.place;
      if (p && p.id && p.name) return {text: p.name, fallback: p.value, id: p.id};
      const v = this.value();
      return {text: v, fallback: v, id: null};
    }
  }

  async function stopSuggestions(text) {
    const idx = await stopIndex();
    const q = fold(text);
    const seen = new Set();
    const out = [];
    for (const s of idx.values()) {
      const f = fold(s.name);
      if (!f.includes(q) || seen.has(s.name)) continue;
      seen.add(s.name);
      out.push({name: s.name, label: (s.routes || []).join(", "), kind: "stop", value: "stop:" + s.stop_id,
                lat: s.lat, lon: s.lon, stop_id: s.stop_id, rank: f.startsWith(q) ? 0 : 1});
    }
    out.sort((a, b) => a.rank - b.rank || a.name.localeCompare(b.name));
    return out.slice(0, 8);
  }

  const fromBox = new Combobox($("from"));
  const toBox = new Combobox($("to"));

  // --------------------------------------------------------------------------- map
  let map = null, tripLayer = null, endsLayer = null;
  function initMap() {
    const box = $("map");
    if (!window.L || !CFG.leaflet) {
      box.append(el("p", {class: "hint", style: "padding:1rem"}, t("no_map")));
      return;
    }
    map = L.map(box, {zoomControl: false, attributionControl: true}).setView([45.7537, 21.2257], 13);
    L.control.zoom({zoomInTitle: t("zoom_in"), zoomOutTitle: t("zoom_out")}).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    if (CFG.tileUrl) {
      L.tileLayer(CFG.tileUrl, {maxZoom: 19, attribution: CFG.attribution}).addTo(map);
    } else {
      map.attributionControl.addAttribution(CFG.attribution);   // the credit stays, tiles or not
    }
    tripLayer = L.layerGroup().addTo(map);
    endsLayer = L.layerGroup().addTo(map);
  }
  function mapCenter() {
    if (!map) return null;
    const c = map.getCenter();
    return c.lat.toFixed(5) + "," + c.lng.toFixed(5);
  }
  function legLatLngs(leg) {
    if (leg.geometry && leg.geometry.length >= 2) return leg.geometry;
    if (leg.polyline) return decodePolyline(leg.polyline);
    return [[leg.from.lat, leg.from.lon], [leg.to.lat, leg.to.lon]];
  }
  /** Google encoded polyline, precision 5. */
  function decodePolyline(str) {
    const out = [];
    let i = 0, lat = 0, lon = 0;
    while (i < str.length) {
      for (const which of [0, 1]) {
        let shift = 0, result = 0, b;
        do { b = str.charCodeAt(i++) - 63; result |= (b & 0x1f) << shift; shift += 5; } while (b >= 0x20);
        const d = (result & 1) ? ~(result >> 1) : (result >> 1);
        if (which === 0) lat += d; else lon += d;
      }
      out.push([lat / 1e5, lon / 1e5]);
    }
    return out;
  }
  function stopMarker(place, opts) {
    const small = opts && opts.small;
    const m = L.marker([place.lat, place.lon], {
      icon: L.divIcon({className: "", html: '<div class="stop-marker' + (small ? " small" : "") + '"></div>',
                       iconSize: small ? [10, 10] : [16, 16], iconAnchor: small ? [5, 5] : [8, 8]}),
      keyboard: !small, title: t("stop_marker", {stop: place.name}), riseOnHover: true,
    });
    m.on("click", () => showDepartures(place.stop_id, place.name));
    m.on("add", () => {
      const e = m.getElement();
      if (!e) return;
      e.setAttribute("aria-label", t("stop_marker", {stop: place.name}));
      e.dataset.stopId = place.stop_id;
      if (small) { e.setAttribute("aria-hidden", "true"); e.removeAttribute("role"); }
      e.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); showDepartures(place.stop_id, place.name); }
      });
    });
    return m;
  }
  function endMarker(place, isStart) {
    const label = t(isStart ? "start_marker" : "end_marker") + ": " + placeName(place, isStart ? "unnamed_origin" : "unnamed_place");
    return L.marker([place.lat, place.lon], {
      icon: L.divIcon({className: "", html: '<div class="end-marker ' + (isStart ? "start" : "end") + '">' +
                       (isStart ? "A" : "B") + "</div>", iconSize: [22, 22], iconAnchor: [11, 11]}),
      keyboard: false, title: label, alt: label, zIndexOffset: 1000,
    }).on("add", function () { const e = this.getElement(); if (e) e.setAttribute("aria-hidden", "true"); });
  }
  function drawEnds(from, to) {
    if (!map) return;
    endsLayer.clearLayers();
    const pts = [];
    for (const [p, isStart] of [[from, true], [to, false]]) {
      if (p && isFinite(p.lat) && isFinite(p.lon)) { endMarker(p, isStart).addTo(endsLayer); pts.push([p.lat, p.lon]); }
    }
    return pts;
  }
  async function drawItinerary(it) {
    if (!map) return;
    tripLayer.clearLayers();
    const bounds = [];
    for (const leg of it.legs) {
      const st = MODE_STYLE[leg.mode] || MODE_STYLE.BUS;
      const pts = legLatLngs(leg);
      bounds.push(...pts);
      L.polyline(pts, {color: "#ffffff", weight: 9, opacity: 1, interactive: false}).addTo(tripLayer);
      L.polyline(pts, {color: st.color, weight: 5, opacity: 1, dashArray: st.dash, lineCap: st.dash ? "round" : "butt",
                       interactive: false, className: "leg-line leg-" + leg.mode}).addTo(tripLayer);
    }
    const idx = await stopIndex();
    for (const leg of it.legs) {
      if (!leg.trip_id) continue;
      for (const sid of leg.intermediate_stops || []) {
        const s = idx.get(sid);
        if (s) stopMarker({name: s.name, lat: s.lat, lon: s.lon, stop_id: sid}, {small: true}).addTo(tripLayer);
      }
      for (const p of [leg.from, leg.to]) if (p.stop_id) stopMarker(p).addTo(tripLayer);
    }
    drawVehicles(it);
    const ends = drawEnds(it.legs[0].from, it.legs[it.legs.length - 1].to) || [];
    const all = bounds.concat(ends);
    if (all.length) map.fitBounds(L.latLngBounds(all), {padding: [30, 30], maxZoom: 17});
  }
  let networkTz = null;
  /** Live positions of the itinerary's vehicles (/v1/transit-vehicles), and a note on their legs. */
  async function drawVehicles(it) {
    const trips = new Set(it.legs.filter((l) => l.trip_id).map((l) => l.trip_id));
    if (!trips.size) return;
    let r;
    try { r = await getJSON("/v1/transit-vehicles"); } catch (e) { return; }
    if (!r.ok || !r.body || !Array.isArray(r.body.vehicles)) return;
    for (const v of r.body.vehicles) {
      if (!trips.has(v.trip_id) || !isFinite(v.lat) || !isFinite(v.lon)) continue;
      const label = t("vehicle_live", {line: v.route_short_name || ""});
      if (map) {
        L.marker([v.lat, v.lon], {
          icon: L.divIcon({className: "", html: '<div class="vehicle-marker"></div>', iconSize: [26, 26], iconAnchor: [13, 13]}),
          keyboard: false, title: label, zIndexOffset: 900,
        }).on("add", function () {
          const e = this.getElement();
          if (e) { e.setAttribute("aria-hidden", "true"); e.firstChild.textContent = v.route_short_name || ""; }
        }).addTo(tripLayer);
      }
      document.querySelectorAll('.leg[data-trip-id="' + CSS.escape(v.trip_id) + '"]').forEach((li) => {
        if (li.querySelector(".vehicle-note")) return;
        li.append(el("p", {class: "note vehicle-note"}, t("vehicle_note", {time: fmtStamp(v.timestamp)})));
      });
    }
  }
  function fmtStamp(ts) {
    if (typeof ts === "string") return hhmm(ts) || ts;
    if (typeof ts !== "number" || !isFinite(ts)) return "";
    try {
      return new Intl.DateTimeFormat("en-GB", {timeZone: networkTz || undefined, hour: "2-digit", minute: "2-digit",
                                               hour12: false}).format(new Date(ts * 1000));
    } catch (e) { return ""; }
  }

  function renderLegend() {
    const ul = $("legend");
    const used = ["WALK", "TRAM", "TROLLEYBUS", "BUS", "FERRY", "RAIL", "BIKE_SHARE", "CAR_SHARE", "CAR"];
    for (const mode of used) {
      const st = MODE_STYLE[mode];
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("width", "48"); svg.setAttribute("height", "12"); svg.setAttribute("aria-hidden", "true");
      svg.setAttribute("focusable", "false");
      for (const [color, w, dash] of [["#ffffff", 9, null], [st.color, 5, st.dash]]) {
        const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
        line.setAttribute("x1", "3"); line.setAttribute("y1", "6"); line.setAttribute("x2", "45"); line.setAttribute("y2", "6");
        line.setAttribute("stroke", color); line.setAttribute("stroke-width", String(w));
        if (dash) { line.setAttribute("stroke-dasharray", dash); line.setAttribute("stroke-linecap", "round"); }
        svg.append(line);
      }
      ul.append(el("li", {"data-mode": mode}, svg, t(st.key)));
    }
  }

  // --------------------------------------------------------------------------- results
  let renderSeq = 0;
  let lastPlan = null;
  let planSeq = 0;          // only the latest request's answer is shown

  function itineraryBadges(it) {
    const badges = [];
    const access = it.legs.map((l) => l.wheelchair).filter(Boolean);
    if (access.length) {
      if (access.includes("not_accessible")) badges.push(["bad", t("badge_not_step_free")]);
      else if (access.every((a) => a === "accessible")) badges.push(["ok", t("badge_step_free")]);
      else badges.push(["warn", t("badge_access_unknown")]);
    }
    const transit = it.legs.filter((l) => l.trip_id);
    if (transit.some((l) => l.realtime)) badges.push(["info", t("badge_realtime")]);
    else if (transit.length) badges.push(["", t("badge_scheduled")]);
    if (it.legs.some((l) => l.alerts && l.alerts.length)) badges.push(["bad", t("badge_alert")]);
    return el("ul", {class: "badges"}, badges.map(([cls, text]) => el("li", {class: "badge " + cls}, text)));
  }

  function fact(label, value) {
    return el("div", null, el("dt", null, label), el("dd", null, value));
  }

  function legTime(leg, which, day) {
    const iso = leg[which];
    const sched = leg["scheduled_" + which];
    const parts = [el("span", {class: "when"}, timeOf(iso, day))];
    if (leg.realtime && sched) {
      const delay = (Date.parse(iso) - Date.parse(sched)) / 1000;
      const d = fmtDelay(isFinite(delay) ? delay : leg.delay_s);
      parts.push(" (", el("span", {class: d.cls}, d.text));
      if (hhmm(sched) !== hhmm(iso)) parts.push(", " + t("scheduled_at", {time: hhmm(sched)}));
      parts.push(")");
    }
    return parts;
  }

  function stopLine(leg, which, day, key, fallback) {
    const p = leg[which === "departure" ? "from" : "to"];
    const name = placeName(p, fallback);
    const line = el("p", null, legTime(leg, which, day), " ", t(key, {place: name, stop: name}));
    if (p && p.stop_id) {
      line.append(" ", el("button", {type: "button", class: "link", "aria-label": t("departures_from", {stop: name}),
                                     onclick: () => showDepartures(p.stop_id, name)}, t("departures_button")));
    }
    return line;
  }

  function renderLeg(leg, day, idx, isFirst, isLast) {
    const st = MODE_STYLE[leg.mode] || MODE_STYLE.BUS;
    const li = el("li", {class: "leg", "data-mode": leg.mode, "data-trip-id": leg.trip_id || null,
                         style: "--leg-color:" + st.color});
    const transit = !!leg.trip_id;
    const title = el("p", {class: "leg-title"}, modeName(leg));
    if (transit && leg.headsign) title.append(" ", el("span", {class: "headsign"}, t("towards", {headsign: leg.headsign})));
    else if (!transit) title.append(" ", t("leg_to", {place: placeName(leg.to, isLast ? "unnamed_place" : "unnamed_place")}));
    title.append(el("span", {class: "note"}, " · " + fmtDuration((Date.parse(leg.arrival) - Date.parse(leg.departure)) / 1000) +
                    (leg.distance_m ? ", " + fmtDistance(leg.distance_m) : "")));
    li.append(title);
    if (transit) {
      li.append(stopLine(leg, "departure", day, "board_at", "unnamed_origin"));
      const inter = leg.intermediate_stops || [];
      if (inter.length) {
        const list = el("ol", {class: "inter"});
        const det = el("details", null, el("summary", null,
          t("intermediate_stops") + " (" + (inter.length === 1 ? t("one_stop") : t("n_stops", {n: inter.length})) + ")"), list);
        stopIndex().then((ix) => { for (const sid of inter) list.append(el("li", null, (ix.get(sid) || {}).name || sid)); });
        li.append(det);
      }
      li.append(stopLine(leg, "arrival", day, "alight_at", "unnamed_place"));
      if (leg.realtime) li.append(el("p", {class: "note"}, t("realtime_note") +
        (leg.realtime_source ? " (" + leg.realtime_source.replace("_", " ") + ")" : "")));
    } else {
      li.append(stopLine(leg, "departure", day, "from_place", isFirst ? "unnamed_origin" : "unnamed_place"));
      if (leg.steps && leg.steps.length) {
        li.append(el("details", null, el("summary", null, t("steps")),
          el("ol", {class: "steps"}, leg.steps.map((s) => el("li", null, s.instruction +
            (s.distance_m ? " (" + fmtDistance(s.distance_m) + ")" : ""))))));
      }
      li.append(stopLine(leg, "arrival", day, "to_place", "unnamed_place"));
      const notes = leg.accessibility_notes || [];
      if (leg.street_model === "crow_fly" && STREET_MODES.has(leg.mode) && !notes.some((n) => n.feature === "crow_fly")) {
        li.append(el("p", {class: "note"}, t("crow_fly")));
      }
    }
    if (leg.wheelchair) {
      const cls = leg.wheelchair === "accessible" ? "ok" : leg.wheelchair === "not_accessible" ? "bad" : "warn";
      li.append(el("p", {class: "access"}, el("span", {class: "badge " + cls},
        t(leg.wheelchair === "accessible" ? "badge_step_free" : leg.wheelchair === "not_accessible" ? "badge_not_step_free" : "badge_access_unknown")),
        " ", t((transit ? "leg_access_" : "way_access_") + leg.wheelchair)));
    }
    if (leg.accessibility_notes && leg.accessibility_notes.length) {
      // the server words them in the page's language (the plan request carries lang)
      li.append(el("ul", {class: "access-notes", "aria-label": t("access_notes")},
        leg.accessibility_notes.map((n) => el("li", {"data-feature": n.feature}, n.text || n.feature))));
    }
    if (leg.alerts && leg.alerts.length) {
      li.append(el("ul", {class: "alerts", "aria-label": t("alerts")}, leg.alerts.map((a) => el("li", {class: "alert"},
        el("strong", null, a.header || a.effect || t("badge_alert")),
        a.description ? el("span", null, " " + a.description) : null,
        a.url ? [" ", el("a", {href: a.url, rel: "noopener"}, a.url)] : null))));
    }
    return li;
  }

  function renderItinerary(it, n, prefix, day, extraHead, level) {
    const id = prefix + "-" + renderSeq + "-" + n;
    const chain = it.legs.map(modeName).join(", ");
    const details = el("div", {id: id + "-details", class: "details", hidden: true});
    const btn = el("button", {type: "button", class: "itin-btn", "aria-expanded": "false", "aria-controls": id + "-details", id: id + "-btn"},
      el("span", {class: "visually-hidden"}, t("itinerary", {n}) + ": "),
      el("span", {class: "times"}, hhmm(it.departure) + " – " + hhmm(it.arrival)),
      " ", el("span", {class: "dur"}, "(" + fmtDuration(it.duration_s) + ")"),
      el("span", {class: "chain"}, chain),
      el("span", {class: "more", "aria-hidden": "true"}, t("show_details")));
    btn.addEventListener("click", () => {
      const open = btn.getAttribute("aria-expanded") !== "true";
      btn.setAttribute("aria-expanded", String(open));
      details.hidden = !open;
      if (open) {
        if (!details.firstChild) {
          details.append(el("ol", {class: "legs"},
            it.legs.map((l, i) => renderLeg(l, day, i, i === 0, i === it.legs.length - 1))));
        }
        drawItinerary(it);
      }
    });
    return el("li", {class: "itin", "data-index": n - 1},
      extraHead || null,
      el(level || "h3", null, btn),
      el("dl", {class: "facts"},
        fact(t("departure"), timeOf(it.departure, day)),
        fact(t("arrival"), timeOf(it.arrival, day)),
        fact(t("duration"), fmtDuration(it.duration_s)),
        fact(t("transfers"), fmtTransfers(it.transfers)),
        fact(t("walking"), fmtDistance(it.walk_distance_m || 0)),
        fact(t("price"), fmtPrice(it.price)),
        fact(t("co2"), t("grams", {n: Math.round(it.co2_g || 0)}))),
      itineraryBadges(it),
      details);
  }

  function messageText(m) {
    const key = "msg_" + m.code;
    return LANG !== "en" && S[key] ? S[key] : (m.text || S[key] || m.code);
  }

  /** Legs that start or end at the request's coordinates get the place's name from the answer. */
  function nameEnds(data) {
    const all = (data.itineraries || []).concat((data.park_and_ride || []).map((o) => o.itinerary));
    for (const it of all) {
      if (!it || !it.legs.length) continue;
      const a = it.legs[0].from, b = it.legs[it.legs.length - 1].to;
      if (!a.name && data.from && data.from.name) a.name = data.from.name;
      if (!b.name && data.to && data.to.name) b.name = data.to.name;
    }
  }

  function renderPlan(data, day) {
    renderSeq += 1;
    nameEnds(data);
    const its = data.itineraries || [];
    const prs = data.park_and_ride || [];
    const msgs = data.messages || [];
    $("results-empty").hidden = true;
    const list = $("itineraries");
    list.replaceChildren(...its.map((it, i) => renderItinerary(it, i + 1, "it", day)));
    list.hidden = its.length === 0;
    const prList = $("pr-list");
    prList.replaceChildren(...prs.map((o, i) => {
      const lot = o.lot || {};
      const spaces = lot.spaces_available === null || lot.spaces_available === undefined
        ? t("spaces_unknown") : t("spaces", {n: lot.spaces_available});
      const head = el("p", {class: "lot"}, el("strong", null, t("park_at", {lot: lot.name || lot.id})), " (" + spaces +
        (lot.capacity ? ", " + t("capacity", {n: lot.capacity}) : "") + ")");
      return renderItinerary(o.itinerary, i + 1, "pr", day, head, "h4");
    }));
    $("pr").hidden = prs.length === 0;
    $("messages-list").replaceChildren(...msgs.map((m) => el("li", {"data-code": m.code}, messageText(m))));
    $("messages").hidden = msgs.length === 0;
    if (map) {
      tripLayer.clearLayers();
      const pts = drawEnds(data.from || (its[0] && its[0].legs[0].from), data.to || (its[0] && its[0].legs[its[0].legs.length - 1].to));
      if (pts && pts.length) map.fitBounds(L.latLngBounds(pts), {padding: [40, 40], maxZoom: 16});
    }
    const more = $("more"), later = $("later");
    more.hidden = its.length === 0;
    if (its.length) {
      const arriveBy = $("arrive-by").checked;
      later.textContent = t(arriveBy ? "earlier" : "later");
      // the next search starts a minute after the last departure (or before the first arrival)
      const ref = arriveBy ? Math.min(...its.map((x) => Date.parse(x.arrival))) - 60000
                           : Math.max(...its.map((x) => Date.parse(x.departure))) + 60000;
      const iso = its[0].departure;               // local wall time = ISO with the same offset
      const off = iso.slice(19);
      const local = new Date(ref + offsetMs(off));
      later.dataset.date = local.toISOString().slice(0, 10);
      later.dataset.time = local.toISOString().slice(11, 16);
    }
    const n = its.length;
    let text = n === 0 ? t("announce_none") : n === 1 ? t("announce_one") : t("announce_results", {n});
    if (n === 0 && msgs.length) text += " " + msgs.map(messageText).join(" ");
    announce(text, false);
  }

  function offsetMs(off) {
    const m = /^([+-])(\d\d):(\d\d)$/.exec(off || "");
    return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60000 : 0;
  }

  // --------------------------------------------------------------------------- departures
  async function showDepartures(stopId, name) {
    const sec = $("departures");
    const body = $("dep-body");
    $("dep-h").textContent = t("departures_of_stop", {stop: name || stopId});
    body.replaceChildren(el("p", null, t("departures_loading")));
    sec.hidden = false;
    sec.focus();
    const q = new URLSearchParams({limit: "10"});
    if ($("date").value) q.set("date", $("date").value);
    if ($("time").value) q.set("time", $("time").value);
    let r;
    try {
      r = await getJSON("/v1/stops/" + encodeURIComponent(stopId) + "/departures?" + q);
    } catch (e) {
      r = {ok: false, status: 0, body: {detail: t("error_network")}};
    }
    if (!r.ok) {
      const msg = t("departures_unavailable", {reason: r.status === 404 && !(r.body && typeof r.body.detail === "string" && r.body.detail !== "Not Found") ? "HTTP 404" : reasonOf(r)});
      body.replaceChildren(el("p", null, msg));
      announce(msg, true);
      return;
    }
    const deps = r.body.departures || [];
    const notes = (r.body.messages || []).map((m) => el("li", {"data-code": m.code}, messageText(m)));
    const noteList = notes.length ? el("ul", {class: "dep-notes"}, notes) : null;
    if (!deps.length) {
      body.replaceChildren(el("p", null, t("departures_none")), noteList || "");
      announce(t("departures_none"));
      return;
    }
    const rows = deps.map((d) => {
      const status = [];
      if (d.cancelled) status.push(t("cancelled"));
      else if (d.realtime) status.push(fmtDelay(d.delay_s).text);
      else status.push(t("dep_scheduled"));
      if (d.wheelchair === "accessible") status.push(t("wheelchair_dep"));
      const when = d.expected && d.realtime && !d.cancelled ? hhmm(d.expected) : hhmm(d.scheduled);
      return el("tr", d.cancelled ? {class: "cancelled"} : null,
        el("td", null, el("span", {class: "when"}, when), d.realtime && d.expected && hhmm(d.expected) !== hhmm(d.scheduled)
          ? el("span", {class: "sched"}, t("scheduled_at", {time: hhmm(d.scheduled)})) : null),
        el("th", {scope: "row"}, d.route_short_name || ""),
        el("td", null, d.headsign || ""),
        el("td", null, status.join(", ")));
    });
    body.replaceChildren(el("table", null,
      el("caption", {class: "visually-hidden"}, t("departures_of_stop", {stop: name || stopId})),
      el("thead", null, el("tr", null, el("th", {scope: "col"}, t("dep_time")), el("th", {scope: "col"}, t("dep_line")),
        el("th", {scope: "col"}, t("dep_headsign")), el("th", {scope: "col"}, t("dep_status")))),
      el("tbody", null, rows)), noteList || "");
    announce(t("departures_of_stop", {stop: name || stopId}) + ": " + deps.length);
  }
  $("dep-close").addEventListener("click", () => { $("departures").hidden = true; $("results").focus(); });

  // --------------------------------------------------------------------------- the form
  const form = $("plan-form");
  function checkedModes() {
    return Array.from(form.querySelectorAll("input[name=modes]:checked")).map((x) => x.value);
  }
  function pageParams() {
    const p = new URLSearchParams();
    p.set("lang", LANG);
    for (const [box, key] of [[fromBox, "from"], [toBox, "to"]]) {
      const v = box.value();
      if (!v) continue;
      p.set(key, v);
      if (box.place) p.set(key + "Name", box.place.name);
      if (box.place && box.place.id) p.set(key + "Id", box.place.id);
    }
    if ($("date").value) p.set("date", $("date").value);
    if ($("time").value) p.set("time", $("time").value);
    if ($("arrive-by").checked) p.set("arriveBy", "true");
    p.set("profile", $("profile").value);
    if ($("strict").checked) p.set("strict", "true");
    p.set("modes", checkedModes().join(","));
    return p;
  }
  function syncLangLink() {
    const p = pageParams();
    const other = LANG === "en" ? "ro" : "en";
    p.set("lang", other);
    $("lang-switch").href = "?" + p;
  }
  form.addEventListener("change", syncLangLink);

  async function plan(ev) {
    if (ev) ev.preventDefault();
    fromBox.close(); toBox.close();
    const fromQ = fromBox.query(), toQ = toBox.query();
    const from = fromQ.text, to = toQ.text;
    for (const [box, v] of [[fromBox, from], [toBox, to]]) {
      if (!v) box.input.setAttribute("aria-invalid", "true");
    }
    if (!from || !to) {
      announce(t("need_places"), true);
      (!from ? fromBox : toBox).input.focus();
      return;
    }
    const modes = checkedModes();
    if (!modes.length) { announce(t("need_mode"), true); form.querySelector("input[name=modes]").focus(); return; }
    const query = (f, t2) => {
      const q = new URLSearchParams({from: f, to: t2, profile: $("profile").value, modes: modes.join(","),
                                     arriveBy: String($("arrive-by").checked), strict: String($("strict").checked), lang: LANG});
      if ($("date").value) q.set("date", $("date").value);
      if ($("time").value) q.set("time", $("time").value);
      return q;
    };
    let q = query(from, to);
    const pp = pageParams();
    window.history.replaceState(null, "", "?" + pp);
    syncLangLink();
    const t0 = performance.now();
    const seq = ++planSeq;
    announce(t("loading"));
    $("plan").setAttribute("aria-busy", "true");
    let r;
    try {
      r = await getJSON("/v1/plan?" + q);
      // a name that the server resolved to another place than the one picked: ask by id instead
      const same = (got, want) => !want.id || (got && got.id === want.id);
      if (r.ok && (!same(r.body.from, fromQ) || !same(r.body.to, toQ))) {
        q = query(same(r.body.from, fromQ) ? from : fromQ.fallback, same(r.body.to, toQ) ? to : toQ.fallback);
        r = await getJSON("/v1/plan?" + q);
      }
    } catch (e) {
      r = {ok: false, status: 0, body: {detail: t("error_network")}};
    }
    if (seq !== planSeq) return;            // a newer plan was asked for meanwhile
    $("plan").removeAttribute("aria-busy");
    if (!r.ok) {
      $("results-empty").hidden = true;
      $("itineraries").replaceChildren(); $("itineraries").hidden = true;
      $("pr").hidden = true;
      $("messages-list").replaceChildren(el("li", null, t("announce_error", {reason: reasonOf(r)})));
      $("messages").hidden = false;
      announce(t("announce_error", {reason: reasonOf(r)}), true);
      lastPlan = {query: q.toString(), ok: false, ms: performance.now() - t0};
      return;
    }
    renderPlan(r.body, $("date").value || isoDate((r.body.itineraries[0] || {}).departure));
    lastPlan = {query: q.toString(), ok: true, ms: performance.now() - t0};
    performance.mark("maas-results");
  }
  form.addEventListener("submit", plan);
  $("later").addEventListener("click", () => {
    const b = $("later");
    if (b.dataset.date) $("date").value = b.dataset.date;
    if (b.dataset.time) $("time").value = b.dataset.time;
    plan(null);
  });

  $("swap").addEventListener("click", () => {
    const a = fromBox.place, av = fromBox.input.value, b = toBox.place, bv = toBox.input.value;
    fromBox.place = b; fromBox.input.value = bv;
    toBox.place = a; toBox.input.value = av;
    syncLangLink();
  });

  $("locate").addEventListener("click", () => {
    if (!navigator.geolocation) { announce(t("location_unavailable", {reason: "-"}), true); return; }
    navigator.geolocation.getCurrentPosition(async (pos) => {
      const lat = pos.coords.latitude, lon = pos.coords.longitude;
      const place = {name: t("my_location"), value: lat.toFixed(6) + "," + lon.toFixed(6), lat, lon};
      try {
        const r = await getJSON("/v1/reverse?" + new URLSearchParams({lat: String(lat), lon: String(lon), limit: "1"}));
        if (r.ok && r.body.results && r.body.results.length) place.name = t("my_location") + " (" + r.body.results[0].name + ")";
      } catch (e) { /* the coordinates are enough */ }
      fromBox.set(place);
      announce(place.name);
      syncLangLink();
    }, (err) => announce(t("location_unavailable", {reason: err.message || err.code}), true),
    {enableHighAccuracy: true, timeout: 10000, maximumAge: 60000});
  });

  // defaults: now in the network's timezone (from /v1/health), and the feed's date range
  function setNow(tz) {
    const now = new Date();
    let parts;
    try {
      parts = new Intl.DateTimeFormat("sv-SE", {timeZone: tz || undefined, year: "numeric", month: "2-digit",
        day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false}).format(now);
    } catch (e) {
      parts = new Intl.DateTimeFormat("sv-SE", {year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
        minute: "2-digit", hour12: false}).format(now);
    }
    const [d, tm] = parts.split(" ");
    if (!$("date").dataset.fromUrl) $("date").value = d;
    if (!$("time").dataset.fromUrl) $("time").value = tm.slice(0, 5);
  }

  function restoreFromUrl() {
    const p = new URLSearchParams(window.location.search);
    for (const [box, key] of [[fromBox, "from"], [toBox, "to"]]) {
      const v = p.get(key);
      if (!v) continue;
      const name = p.get(key + "Name");
      if (name) box.set({name, value: v, id: p.get(key + "Id")}); else box.input.value = v;
    }
    for (const key of ["date", "time"]) {
      const v = p.get(key);
      if (v) { $(key).value = v; $(key).dataset.fromUrl = "1"; }
    }
    if (p.get("arriveBy") === "true") $("arrive-by").checked = true;
    if (p.get("strict") === "true") $("strict").checked = true;
    const prof = p.get("profile");
    if (prof && $("profile").querySelector("option[value=" + CSS.escape(prof) + "]")) $("profile").value = prof;
    const modes = p.get("modes");
    if (modes) {
      const set = new Set(modes.split(","));
      form.querySelectorAll("input[name=modes]").forEach((x) => { x.checked = set.has(x.value); });
    }
    return !!(p.get("from") && p.get("to"));
  }

  initMap();
  renderLegend();
  const autoPlan = restoreFromUrl();
  setNow(null);
  syncLangLink();
  getJSON("/v1/health").then((r) => {
    if (!r.ok || !r.body.network) return;
    const n = r.body.network;
    networkTz = n.timezone || null;
    setNow(n.timezone);
    if (n.feed_start && n.feed_end) {
      $("date").min = n.feed_start;
      $("date").max = n.feed_end;
      $("feed-range").textContent = t("feed_range", {start: n.feed_start, end: n.feed_end});
    }
    syncLangLink();
  }).catch(() => {});
  if (autoPlan) plan(null);
  // service alerts for the whole network, when the server has real-time alerts
  getJSON("/v1/alerts").then((r) => {
    const list = r.ok && r.body && Array.isArray(r.body.alerts) ? r.body.alerts : [];
    if (!list.length) return;
    $("alerts-list").replaceChildren(...list.slice(0, 10).map((a) => el("li", {class: "alert"},
      el("strong", null, a.header || a.effect || t("badge_alert")),
      a.description ? el("span", null, " " + a.description) : null,
      a.url ? [" ", el("a", {href: a.url, rel: "noopener"}, a.url)] : null)));
    $("network-alerts").hidden = false;
  }).catch(() => {});

  // for tests and the screenshot script: what the page knows, nothing it needs
  window.MAAS = {MODE_STYLE, get lastPlan() { return lastPlan; }, plan, decodePolyline};
})();
