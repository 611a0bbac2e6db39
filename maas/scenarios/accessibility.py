"""Cumulative-opportunity accessibility: places (and their weight) reachable within N minutes.

Uses the median (p50) travel time of the matrix, as R5's default; a place counts itself (0 s).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from maas.router.raptor import INF


def reach_counts(p50: np.ndarray, weight: np.ndarray, thresholds_min: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """int [n, T] places and float [n, T] weight reachable from each origin within each threshold."""
    n = p50.shape[0]
    places = np.zeros((n, len(thresholds_min)), np.int64)
    weights = np.zeros((n, len(thresholds_min)), np.float64)
    w = np.asarray(weight, float)
    for j, t in enumerate(thresholds_min):
        ok = p50 <= int(t) * 60
        places[:, j] = ok.sum(axis=1)
        weights[:, j] = ok @ w
    return places, weights


def accessibility_table(places, base_p50: np.ndarray, scen_p50: np.ndarray, thresholds_min: list[int]) -> pd.DataFrame:
    """Long table: one row per place and threshold, baseline and scenario side by side."""
    bp, bw = reach_counts(base_p50, places.weight, thresholds_min)
    sp, sw = reach_counts(scen_p50, places.weight, thresholds_min)
    n, t = bp.shape
    df = pd.DataFrame({
        "place": np.repeat(places.ids, t),
        "lat": np.repeat(places.lat, t), "lon": np.repeat(places.lon, t),
        "cutoff_min": np.tile(np.asarray(thresholds_min, np.int32), n),
        "baseline_places": bp.ravel(), "scenario_places": sp.ravel(),
        "baseline_weight": bw.ravel(), "scenario_weight": sw.ravel(),
    })
    df["change_places"] = df["scenario_places"] - df["baseline_places"]
    df["change_weight"] = df["scenario_weight"] - df["baseline_weight"]
    return df


def accessibility_summary(acc: pd.DataFrame, places) -> dict:
    """Per threshold: mean places reachable, and weight-averaged weight reachable (population-weighted)."""
    out = {}
    w = pd.Series(np.asarray(places.weight, float), index=places.ids)
    for t, g in acc.groupby("cutoff_min"):
        ww = g["place"].map(w).to_numpy()
        tot = ww.sum() or 1.0
        out[str(int(t))] = {
            "mean_places_baseline": round(float(g["baseline_places"].mean()), 3),
            "mean_places_scenario": round(float(g["scenario_places"].mean()), 3),
            "mean_places_change": round(float(g["change_places"].mean()), 3),
            "weighted_mean_weight_baseline": round(float((g["baseline_weight"] * ww).sum() / tot), 3),
            "weighted_mean_weight_scenario": round(float((g["scenario_weight"] * ww).sum() / tot), 3),
            "places_losing": int((g["change_places"] < 0).sum()),
            "places_gaining": int((g["change_places"] > 0).sum()),
        }
    return out


__all__ = ["reach_counts", "accessibility_table", "accessibility_summary", "INF"]
