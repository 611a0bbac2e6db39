"""Baseline vs scenario: per pair, per place and overall differences of the median travel time."""
from __future__ import annotations

import numpy as np
import pandas as pd

from maas.router.raptor import INF


def pair_differences(places, base_p50: np.ndarray, scen_p50: np.ndarray, only_changed: bool = True) -> pd.DataFrame:
    """Pairs whose median changed: status ``both`` (with change_s), ``lost`` or ``gained``."""
    b_ok = base_p50 < INF
    s_ok = scen_p50 < INF
    sel = (b_ok | s_ok)
    if only_changed:
        sel &= (b_ok != s_ok) | (base_p50 != scen_p50)
    o, d = np.nonzero(sel)
    b = base_p50[o, d]
    s = scen_p50[o, d]
    bo, so = b < INF, s < INF
    status = np.where(bo & so, "both", np.where(bo, "lost", "gained"))
    df = pd.DataFrame({"origin": places.ids[o], "destination": places.ids[d],
                       "baseline_p50": pd.array(np.where(bo, b, 0), dtype="Int32"),
                       "scenario_p50": pd.array(np.where(so, s, 0), dtype="Int32"),
                       "status": status})
    df.loc[~bo, "baseline_p50"] = pd.NA
    df.loc[~so, "scenario_p50"] = pd.NA
    df["change_s"] = (df["scenario_p50"] - df["baseline_p50"]).astype("Int32")
    return df


def place_differences(places, base_p50: np.ndarray, scen_p50: np.ndarray) -> pd.DataFrame:
    """Per origin place: reachable destinations before/after, lost/gained, faster/slower, mean change."""
    b_ok = base_p50 < INF
    s_ok = scen_p50 < INF
    both = b_ok & s_ok
    diff = np.where(both, scen_p50.astype(np.int64) - base_p50.astype(np.int64), 0)
    n_both = both.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_both > 0, diff.sum(axis=1) / np.maximum(n_both, 1), np.nan)
    masked = np.where(both, diff, np.nan)
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            median = np.nanmedian(masked, axis=1) if masked.size else np.zeros(0)
    return pd.DataFrame({
        "place": places.ids, "lat": places.lat, "lon": places.lon, "weight": places.weight,
        "reachable_baseline": b_ok.sum(axis=1), "reachable_scenario": s_ok.sum(axis=1),
        "lost": (b_ok & ~s_ok).sum(axis=1), "gained": (s_ok & ~b_ok).sum(axis=1),
        "faster": (both & (diff < 0)).sum(axis=1), "slower": (both & (diff > 0)).sum(axis=1),
        "mean_change_s": np.round(mean, 1), "median_change_s": median,
        "max_increase_s": np.where(n_both > 0, np.where(both, diff, np.iinfo(np.int64).min).max(axis=1), 0).clip(min=0),
        "max_decrease_s": np.where(n_both > 0, np.where(both, -diff, np.iinfo(np.int64).min).max(axis=1), 0).clip(min=0),
    })


def overall(base: np.ndarray, scen: np.ndarray) -> dict:
    """Overall figures from dense [3, n, n] baseline and scenario percentiles (seconds)."""
    b50, s50 = base[1], scen[1]
    b_ok, s_ok = b50 < INF, s50 < INF
    both = b_ok & s_ok
    diff = s50[both].astype(np.int64) - b50[both].astype(np.int64)

    def med(x):
        return float(np.median(x)) if x.size else None

    return {
        "places": int(b50.shape[0]),
        "pairs_reachable_baseline": int(b_ok.sum()), "pairs_reachable_scenario": int(s_ok.sum()),
        "pairs_lost": int((b_ok & ~s_ok).sum()), "pairs_gained": int((s_ok & ~b_ok).sum()),
        "pairs_faster": int((diff < 0).sum()), "pairs_slower": int((diff > 0).sum()),
        "pairs_unchanged": int((diff == 0).sum()),
        "median_p50_baseline_s": med(b50[both]), "median_p50_scenario_s": med(s50[both]),
        "mean_p50_baseline_s": round(float(b50[both].mean()), 1) if both.any() else None,
        "mean_p50_scenario_s": round(float(s50[both].mean()), 1) if both.any() else None,
        "median_change_s": med(diff), "mean_change_s": round(float(diff.mean()), 2) if diff.size else None,
        "max_increase_s": int(diff.max()) if diff.size and diff.max() > 0 else 0,
        "max_decrease_s": int(-diff.min()) if diff.size and diff.min() < 0 else 0,
    }
