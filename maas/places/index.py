"""The loaded geocoder index: forward search (autocomplete, typos, house numbers) and reverse.

Matching is per word, over the index's vocabulary of folded words (see :mod:`maas.places.text`):
a query word matches a name word exactly (1.0), as a prefix while it is being typed (the last
word: 0.8-0.9), or with a typo (rapidfuzz ``fuzz.ratio`` >= 75-80 over words of similar
length; for the last word also over the first letters of longer words). Each record scores the
weighted sum of its best word matches (generic words such as "strada" or "de" weigh less),
refined by rapidfuzz ``token_set_ratio`` over the whole name and by how much of the name the
query covers. Ranking: match quality first, then the kind and importance prior, then distance
to ``near``. A query with a house number also looks up the addresses of the streets it matches.
Same-name results within 300 m of a better one are dropped (a stop and the square it is named
after stay apart only when they are far apart).
"""
from __future__ import annotations

import json
import math
import os
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process
from scipy.spatial import cKDTree

from maas.errors import MaasError
from maas.places.compile import KINDS, PLACES_DIR, PLACES_SCHEMA
from maas.places.text import GENERIC, fold, housenumber_matches, is_number, query_tokens

GENERIC_WEIGHT = 0.35
TRUNC_MAX = 10
CANDIDATES = 80           # records refined with the whole-name score
DEDUP_M = 300.0
NEAR_SCALE_M = 3000.0


@dataclass(frozen=True)
class PlaceMatch:
    """One result: what the HTTP/CLI/Python answers show, plus the stops of a station."""

    id: str
    kind: str
    name: str
    label: str
    lat: float
    lon: float
    stop_id: str | None
    category: str | None
    stops: tuple[int, ...] = ()
    score: float = 0.0
    distance_m: float | None = None

    def to_json(self) -> dict:
        out = {"id": self.id, "kind": self.kind, "name": self.name, "label": self.label,
               "lat": round(self.lat, 6), "lon": round(self.lon, 6)}
        if self.stop_id:
            out["stop_id"] = self.stop_id
        if self.category:
            out["category"] = self.category
        if self.distance_m is not None:
            out["distance_m"] = round(self.distance_m, 1)
        return out


def _haversine(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000.0 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


class PlaceIndex:
    """Search and reverse-search over a compiled index (immutable; safe to share between threads)."""

    def __init__(self, arrays: dict[str, np.ndarray], strings: dict):
        self.a = arrays
        self.s = strings
        self.n = len(arrays["kind"])
        self.kind = arrays["kind"]
        self.lat, self.lon = arrays["lat"], arrays["lon"]
        self.prior = np.asarray(arrays["prior"], np.float32)
        self.n_sig = np.asarray(arrays["n_sig"], np.float32)
        self.post_ptr, self.post_rec = arrays["post_ptr"], arrays["post_rec"]
        self.vocab: list[str] = strings["vocab"]
        self.ids: list[str] = strings["ids"]
        self.names: list[str] = strings["names"]
        self.folded: list[str] = strings["folded"]
        self.labels: list[str] = strings["labels"]
        self.categories: list[str] = strings["categories"]
        self.stop_ids: list[str] = strings["stop_ids"]
        self.by_id = {r: i for i, r in enumerate(self.ids)}
        self.counts = dict(strings.get("counts", {}))
        V = len(self.vocab)
        self.vlen = np.array([len(w) for w in self.vocab], np.float32) if V else np.zeros(0, np.float32)
        # words by length, for typo matching against words of similar length only
        self._by_len: dict[int, tuple[list[str], np.ndarray]] = {}
        buckets: dict[int, list[int]] = {}
        for i, w in enumerate(self.vocab):
            buckets.setdefault(len(w), []).append(i)
        for L, ids in buckets.items():
            self._by_len[L] = ([self.vocab[i] for i in ids], np.asarray(ids, np.int64))
        self._trunc: dict[int, tuple[list[str], np.ndarray, np.ndarray]] = {}
        self._rev = None

    # ----- loading --------------------------------------------------------------------
    @classmethod
    def load(cls, folder: str | os.PathLike) -> "PlaceIndex | None":
        """The index saved in ``folder/places``, or None when the network has none."""
        d = Path(folder) / PLACES_DIR
        if not (d / "index.json").is_file():
            return None
        try:
            strings = json.loads((d / "index.json").read_text(encoding="utf-8"))
            if strings.get("schema") != PLACES_SCHEMA:
                return None
            arrays = {p.stem: np.asarray(np.load(p, mmap_mode="r", allow_pickle=False)) for p in d.glob("*.npy")}
        except (OSError, ValueError) as exc:
            raise MaasError(f"{d}: the places index cannot be read ({exc}); rebuild with `maas build`") from None
        return cls(arrays, strings)

    @classmethod
    def from_data(cls, data, digest: str = "") -> "PlaceIndex":
        from maas.places.compile import pack
        arrays, strings = pack(data, digest)
        return cls(arrays, strings)

    # ----- word matching ----------------------------------------------------------------
    def _truncated(self, L: int):
        t = self._trunc.get(L)
        if t is None:
            pre = sorted({w[:L] for w in self.vocab if len(w) > L})
            lo = np.array([bisect_left(self.vocab, p) for p in pre], np.int64)
            hi = np.array([bisect_left(self.vocab, p + "{") for p in pre], np.int64)
            t = self._trunc[L] = (pre, lo, hi)
        return t

    def _word_scores(self, t: str, last: bool, raw: str) -> np.ndarray:
        """Score in [0, 1] of every vocabulary word against the query word ``t``."""
        V = len(self.vocab)
        sc = np.zeros(V, np.float32)
        if not V:
            return sc
        j = bisect_left(self.vocab, t)
        if j < V and self.vocab[j] == t:
            sc[j] = 1.0
        if last:
            for p in {t, raw}:
                if not p:
                    continue
                lo, hi = bisect_left(self.vocab, p), bisect_left(self.vocab, p + "{")
                if hi > lo:
                    # longer completions of a short prefix are less likely what is meant
                    s = 0.8 + 0.1 * len(p) / self.vlen[lo:hi]
                    np.maximum(sc[lo:hi], s, out=sc[lo:hi])
        L = len(t)
        if L >= 4 and not t.isdigit():
            cut = 80.0 if L <= 5 else 75.0
            for m in range(max(1, L - 2), L + 3):
                b = self._by_len.get(m)
                if b is None:
                    continue
                for _, r, k in process.extract(t, b[0], scorer=fuzz.ratio, score_cutoff=cut, limit=12):
                    vi = b[1][k]
                    sc[vi] = max(sc[vi], 0.85 * r / 100.0)
            if last:
                Lt = min(L, TRUNC_MAX)
                pre, lo, hi = self._truncated(Lt)
                for _, r, k in process.extract(t[:Lt], pre, scorer=fuzz.ratio, score_cutoff=75.0, limit=8):
                    a, b = int(lo[k]), int(hi[k])
                    np.maximum(sc[a:b], np.float32(0.78 * r / 100.0), out=sc[a:b])
        return sc

    def _record_scores(self, ws: np.ndarray) -> np.ndarray:
        """Best word score per record, from word scores (through the postings)."""
        vids = np.flatnonzero(ws)
        out = np.zeros(self.n, np.float32)
        if not len(vids):
            return out
        starts, ends = self.post_ptr[vids], self.post_ptr[vids + 1]
        lens = (ends - starts).astype(np.int64)
        tot = int(lens.sum())
        if tot == 0:
            return out
        # gather all postings of the matched words at once
        offs = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
        recs = self.post_rec[np.arange(tot, dtype=np.int64) + offs]
        np.maximum.at(out, recs, np.repeat(ws[vids], lens))
        return out

    # ----- search -------------------------------------------------------------------------
    def search(self, text: str, near: tuple[float, float] | None = None, limit: int = 10) -> list[PlaceMatch]:
        """Places whose names match ``text`` best (see the module docstring for the ranking)."""
        toks, raw_last = query_tokens(text)
        if not toks or self.n == 0:
            return []
        per_tok = []
        for i, t in enumerate(toks):
            last = i == len(toks) - 1
            per_tok.append(self._record_scores(self._word_scores(t, last, raw_last if last else "")))
        weights = np.array([GENERIC_WEIGHT if t in GENERIC else 1.0 for t in toks], np.float32)
        sig = np.array([t not in GENERIC for t in toks])
        S = np.vstack(per_tok)                                    # [tokens, records]
        qfold = " ".join(toks)
        found: list[tuple[float, int, PlaceMatch]] = []
        found += self._rank(S, weights, sig, qfold, near, limit)
        nums = [i for i, t in enumerate(toks) if is_number(t)]
        if nums and len(toks) > 1:
            found += self._addresses(S, weights, sig, toks, nums, near)
        return _dedup(found, limit)

    def _quality(self, S, weights, sig, recs: np.ndarray) -> np.ndarray:
        Ss = S[:, recs]
        match = (weights[:, None] * Ss).sum(axis=0) / weights.sum()
        hit = (Ss[sig] > 0).sum(axis=0) if sig.any() else (Ss > 0).sum(axis=0)
        cover = np.minimum(1.0, hit / self.n_sig[recs])
        return match * (0.88 + 0.12 * cover)

    def _near_term(self, recs_lat, recs_lon, near) -> np.ndarray:
        if near is None:
            return np.zeros(len(recs_lat), np.float32)
        d = _haversine(near[0], near[1], recs_lat, recs_lon)
        return 6.0 * np.exp(-d / NEAR_SCALE_M)

    def _rank(self, S, weights, sig, qfold, near, limit):
        match = (weights[:, None] * S).sum(axis=0) / weights.sum()
        best = float(match.max())
        if best <= 0.25:
            return []
        recs = np.flatnonzero(match >= max(0.3, 0.6 * best))
        q = self._quality(S, weights, sig, recs)
        pre = 100 * q + 10 * self.prior[recs]
        if len(recs) > CANDIDATES:
            keep = np.argpartition(-pre, CANDIDATES)[:CANDIDATES]
            recs, q = recs[keep], q[keep]
        whole = np.array([fuzz.token_set_ratio(qfold, self.folded[r]) for r in recs.tolist()], np.float32) / 100.0
        q = 0.85 * q + 0.15 * whole
        score = 100 * q + 10 * self.prior[recs] + self._near_term(self.lat[recs], self.lon[recs], near)
        order = np.argsort(-score, kind="stable")[: 3 * limit + 10]
        return [(float(score[k]), int(recs[k]), self._match(int(recs[k]), float(score[k]))) for k in order]

    def _addresses(self, S, weights, sig, toks, nums, near):
        """House-number queries: the matching addresses of the best-matching streets."""
        keep = np.array([i not in nums for i in range(len(toks))])
        Sw, ww, sw = S[keep], weights[keep], sig[keep]
        match = (ww[:, None] * Sw).sum(axis=0) / ww.sum()
        street = KINDS.index("street")
        match = np.where(self.kind == street, match, 0.0)
        best = float(match.max())
        if best <= 0.4:
            return []
        recs = np.flatnonzero(match >= 0.75 * best)
        q = self._quality(Sw, ww, sw, recs)
        order = np.argsort(-(q + 0.05 * self.prior[recs]))[:8]
        ap = self.a["addr_ptr"]
        out = []
        hns, ids, labels = self.s["addr_hn"], self.s["addr_id"], self.s["addr_label"]
        for k in order.tolist():
            r = int(recs[k])
            for num in (toks[i] for i in nums):
                for j in range(int(ap[r]), int(ap[r + 1])):
                    m = housenumber_matches(num, hns[j])
                    if not m:
                        continue
                    lat, lon = float(self.a["addr_lat"][j]), float(self.a["addr_lon"][j])
                    qual = float(q[k]) * (1.0 if m == 2 else 0.97)
                    score = 100 * qual + 10 * 0.75 + float(self._near_term(np.array([lat]), np.array([lon]), near)[0])
                    out.append((score, -1, PlaceMatch(ids[j], "address", f"{self.names[r]} {hns[j]}",
                                                      labels[j], lat, lon, None, None, (), score)))
        return out

    def _match(self, r: int, score: float = 0.0, distance: float | None = None) -> PlaceMatch:
        k = KINDS[int(self.kind[r])]
        a, b = int(self.a["stops_ptr"][r]), int(self.a["stops_ptr"][r + 1])
        stops = tuple(int(x) for x in self.a["stops_idx"][a:b])
        return PlaceMatch(self.ids[r], k, self.names[r], self.labels[r], float(self.lat[r]), float(self.lon[r]),
                          self.stop_ids[r] or None, self.categories[r] or None, stops, score, distance)

    def get(self, place_id: str) -> PlaceMatch | None:
        """The record with this id (e.g. ``osm:w24042485``), or None."""
        r = self.by_id.get(place_id)
        return None if r is None else self._match(r)

    # ----- reverse --------------------------------------------------------------------------
    def _reverse_tree(self):
        if self._rev is None:
            street = KINDS.index("street")
            recs = np.flatnonzero(self.kind != street)
            la = np.concatenate([self.lat[recs], self.a["addr_lat"], self.a["rev_lat"]])
            lo = np.concatenate([self.lon[recs], self.a["addr_lon"], self.a["rev_lon"]])
            # ref >= 0: a record; ref < 0: address -(ref + 1)
            ref = np.concatenate([recs, -(np.arange(len(self.a["addr_lat"])) + 1),
                                  np.asarray(self.a["rev_rec"], np.int64)]).astype(np.int64)
            lat0 = float(np.mean(la)) if len(la) else 45.0
            k = 111_195.0
            xy = np.column_stack([lo * k * math.cos(math.radians(lat0)), la * k])
            self._rev = (cKDTree(xy) if len(xy) else None, ref, lat0, la, lo)
        return self._rev

    def reverse(self, lat: float, lon: float, limit: int = 5) -> list[PlaceMatch]:
        """The nearest places (one result per place, nearest first) with ``distance_m``."""
        tree, ref, lat0, la, lo = self._reverse_tree()
        if tree is None:
            return []
        k = 111_195.0
        want = min(len(ref), max(8 * limit, 32))
        _, idx = tree.query([lon * k * math.cos(math.radians(lat0)), lat * k], k=want)
        idx = np.atleast_1d(idx)
        idx = idx[idx < len(ref)]
        d = _haversine(lat, lon, la[idx], lo[idx])
        out, seen = [], set()
        hns, ids, labels = self.s["addr_hn"], self.s["addr_id"], self.s["addr_label"]
        streets = self._addr_streets()
        for j in np.argsort(d, kind="stable").tolist():
            r = int(ref[idx[j]])
            if r in seen:
                continue
            seen.add(r)
            dist = float(d[j])
            if r >= 0:
                out.append(self._match(r, 0.0, dist))
            else:
                a = -r - 1
                out.append(PlaceMatch(ids[a], "address", f"{self.names[streets[a]]} {hns[a]}", labels[a],
                                      float(self.a["addr_lat"][a]), float(self.a["addr_lon"][a]), None, None, (),
                                      0.0, dist))
            if len(out) == limit:
                break
        return out

    def _addr_streets(self) -> np.ndarray:
        ap = self.a["addr_ptr"]
        return np.repeat(np.arange(self.n), np.diff(ap))


def _dedup(found: list[tuple[float, int, PlaceMatch]], limit: int) -> list[PlaceMatch]:
    """Best first; a result with the same folded name as a better one within 300 m is dropped."""
    found.sort(key=lambda x: -x[0])
    out: list[PlaceMatch] = []
    keys: list[tuple[str, float, float]] = []
    for score, _, m in found:
        f = fold(m.name)
        if any(f == k and _haversine(m.lat, m.lon, la, lo) < DEDUP_M for k, la, lo in keys):
            continue
        if any(m.id == o.id for o in out):
            continue
        keys.append((f, m.lat, m.lon))
        out.append(m)
        if len(out) == limit:
            break
    return out
