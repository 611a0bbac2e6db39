"""Write a scenario's outputs: Parquet + CSV tables, PNG plots, ``summary.json`` and ``report.html``.

Plots are drawn with matplotlib's Agg canvas directly (no pyplot, no global backend change), so
a notebook's backend is left alone. Maps are drawn from the places' coordinates (equirectangular,
aspect corrected), over the base network's stops in light grey.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

TABLES = ("baseline_matrix", "scenario_matrix", "accessibility", "differences", "pair_differences", "places")


def _figure(w=7.5, h=6.5):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(w, h), dpi=110)
    FigureCanvasAgg(fig)
    return fig


def _map(path: Path, net, lat, lon, values, title: str, label: str, *, unit_scale: float = 1.0,
         cmap: str = "RdBu_r") -> None:
    from matplotlib.colors import TwoSlopeNorm
    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    tt = net.tt
    ax.scatter(np.asarray(tt.stop_lon), np.asarray(tt.stop_lat), s=2, c="#d0d0d0", linewidths=0, zorder=1)
    v = np.asarray(values, float) / unit_scale
    ok = np.isfinite(v)
    zero = ok & (v == 0)
    ax.scatter(np.asarray(lon)[zero], np.asarray(lat)[zero], s=6, c="#9a9a9a", linewidths=0, zorder=2,
               label="no change")
    nz = ok & (v != 0)
    if nz.any():
        m = float(np.max(np.abs(v[nz])))
        norm = TwoSlopeNorm(vcenter=0.0, vmin=-m, vmax=m)
        sc = ax.scatter(np.asarray(lon)[nz], np.asarray(lat)[nz], s=16, c=v[nz], cmap=cmap, norm=norm,
                        linewidths=0.2, edgecolors="#333333", zorder=3)
        fig.colorbar(sc, ax=ax, label=label, shrink=0.8)
    if nz.any():   # zoom on the places that changed (with a margin), the rest of the network is context
        la, lo = np.asarray(lat, float)[nz], np.asarray(lon, float)[nz]
        pad_la = max(0.02, 0.25 * float(la.max() - la.min()))
        pad_lo = max(0.03, 0.25 * float(lo.max() - lo.min()))
        ax.set_xlim(float(lo.min()) - pad_lo, float(lo.max()) + pad_lo)
        ax.set_ylim(float(la.min()) - pad_la, float(la.max()) + pad_la)
    ax.set_aspect(1.0 / np.cos(np.radians(float(np.mean(lat)) if len(lat) else 45.0)))
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    if zero.any():
        ax.legend(loc="lower left", fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path)


def _hist(path: Path, values, title: str, xlabel: str, *, log: bool = True) -> None:
    fig = _figure(7, 4.2)
    ax = fig.add_subplot(1, 1, 1)
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if v.size:
        lo, hi = float(v.min()), float(v.max())
        # bins centred on multiples of the width (timetables are often in whole minutes)
        w = max(0.5, np.ceil((hi - lo) / 60 * 2) / 2)
        edges = np.arange(np.floor(lo / w) * w - w / 2, hi + w, w)
        ax.hist(v, bins=edges, color="#3b6ea5", log=log and v.size > 50)
    else:
        ax.text(0.5, 0.5, "no changes", ha="center", va="center", transform=ax.transAxes)
    ax.axvline(0, color="#333333", lw=0.8)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count")
    fig.tight_layout()
    fig.savefig(path)


def _write_table(df: pd.DataFrame, out: Path, name: str) -> list[str]:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(table, out / f"{name}.parquet")
    pacsv.write_csv(table, out / f"{name}.csv")   # nulls are empty cells
    return [f"{name}.parquet", f"{name}.csv"]


def write_outputs(res, out, net) -> list[str]:
    """Write the tables and plots of ``res`` into ``out``; returns the file names."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    p = res.places
    places_df = pd.DataFrame({"place": p.ids, "lat": p.lat, "lon": p.lon, "weight": p.weight})
    tables = {"baseline_matrix": res.baseline_matrix, "scenario_matrix": res.scenario_matrix,
              "accessibility": res.accessibility, "differences": res.differences,
              "pair_differences": res.pair_differences, "places": places_df}
    for name, df in tables.items():
        files += _write_table(df, out, name)
    spec = res.spec
    d = res.differences
    _map(out / "map_travel_time_change.png", net, d["lat"], d["lon"], d["mean_change_s"],
         f"{spec.name}: mean change of median travel time from each place", "minutes (red = slower)", unit_scale=60)
    files.append("map_travel_time_change.png")
    mid = spec.thresholds_min[len(spec.thresholds_min) // 2]
    a = res.accessibility[res.accessibility["cutoff_min"] == mid]
    use_weight = spec.places.kind == "csv"
    col = "change_weight" if use_weight else "change_places"
    what = "weight" if use_weight else "places"
    _map(out / "map_accessibility_change.png", net, a["lat"], a["lon"], a[col],
         f"{spec.name}: change in {what} reachable within {mid} min", f"{what} (blue = more)", cmap="RdBu")
    files.append("map_accessibility_change.png")
    pc = res.pair_differences
    ch = pc.loc[pc["status"] == "both", "change_s"].astype("float64") / 60.0
    _hist(out / "hist_travel_time_change.png", ch, f"{spec.name}: change of median travel time per pair "
          f"(changed pairs; {int((pc['status'] == 'lost').sum())} lost, {int((pc['status'] == 'gained').sum())} gained)",
          "minutes (scenario - baseline)")
    files.append("hist_travel_time_change.png")
    fig = _figure(7, 4.2)
    ax = fig.add_subplot(1, 1, 1)
    for t, g in res.accessibility.groupby("cutoff_min"):
        v = g[col].to_numpy(float)
        ax.hist(v, bins=40, histtype="step", lw=1.4, label=f"within {t} min")
    ax.axvline(0, color="#333333", lw=0.8)
    ax.set_title(f"{spec.name}: change in {what} reachable, per place", fontsize=10)
    ax.set_xlabel(f"{what} (scenario - baseline)")
    ax.set_ylabel("places")
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(out / "hist_accessibility_change.png")
    files.append("hist_accessibility_change.png")
    # the inputs beside the outputs: the scenario file as run (and its zones)
    import shutil
    if spec.source and Path(spec.source).is_file():
        name = "scenario" + (Path(spec.source).suffix or ".yaml")
        shutil.copyfile(spec.source, out / name)
        files.append(name)
    if spec.places.kind == "csv" and spec.places.csv and Path(spec.places.csv).is_file():
        shutil.copyfile(spec.places.csv, out / "zones.csv")
        files.append("zones.csv")
    files.append("report.html")
    files.append("summary.json")
    res.files = files
    (out / "report.html").write_text(_html(res, files), encoding="utf-8")
    return files


def write_summary(res, out) -> None:
    summary = dict(res.summary, files=list(res.files))
    (Path(out) / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False, default=_json_default),
                                            encoding="utf-8")


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def _fmt_s(x) -> str:
    return "–" if x is None else f"{x / 60:.1f} min"


def _html(res, files: list[str]) -> str:
    spec = res.spec
    o = res.overall
    e = html.escape
    rows = [("places", o["places"]), ("departures", res.summary["run"]["departures"]),
            ("pairs reachable (baseline → scenario)", f"{o['pairs_reachable_baseline']} → {o['pairs_reachable_scenario']}"),
            ("pairs lost / gained", f"{o['pairs_lost']} / {o['pairs_gained']}"),
            ("pairs faster / slower / unchanged", f"{o['pairs_faster']} / {o['pairs_slower']} / {o['pairs_unchanged']}"),
            ("median travel time (pairs reachable in both)",
             f"{_fmt_s(o['median_p50_baseline_s'])} → {_fmt_s(o['median_p50_scenario_s'])}"),
            ("mean change", _fmt_s(o["mean_change_s"])),
            ("largest increase / decrease", f"{_fmt_s(o['max_increase_s'])} / {_fmt_s(o['max_decrease_s'])}")]
    for t, a in o.get("accessibility", {}).items():
        rows.append((f"places reachable within {t} min (mean)",
                     f"{a['mean_places_baseline']:.1f} → {a['mean_places_scenario']:.1f} "
                     f"({a['places_losing']} places lose, {a['places_gaining']} gain)"))
    table = "\n".join(f"<tr><th>{e(str(k))}</th><td>{e(str(v))}</td></tr>" for k, v in rows)
    edits = "\n".join(f"<li><code>{e(x['type'])}</code>: {e(x.get('summary', ''))}</li>" for x in res.edit_log) or "<li>none</li>"
    imgs = "\n".join(f'<figure><img src="{e(f)}" alt="{e(f)}"><figcaption>{e(f)}</figcaption></figure>'
                     for f in files if f.endswith(".png"))
    links = " · ".join(f'<a href="{e(f)}">{e(f)}</a>' for f in files if not f.endswith((".png", ".html")))
    notes = "".join(f"<p class=note>{e(n)}</p>" for n in res.summary.get("notes", []))
    run = res.summary["run"]
    ver = res.summary["versions"]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Scenario {e(spec.name)}</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse}} th,td{{text-align:left;padding:.25em .8em;border-bottom:1px solid #ddd}}
th{{font-weight:500;color:#555}} figure{{display:inline-block;margin:.5em}} img{{max-width:520px;border:1px solid #ddd}}
code{{background:#f3f3f3;padding:0 .2em}} .note{{color:#8a5a00}}
</style></head><body>
<h1>Scenario: {e(spec.name)}</h1>
<p>{e(spec.description)}</p>
<p>Date {e(spec.date.isoformat())}, departures every {spec.step_s / 60:g} min from {e(str(spec.window))}
(end exclusive), places: <code>{e(json.dumps(spec.places.to_json()))}</code>, profile <code>{e(spec.profile)}</code>,
modes <code>{e(','.join(spec.modes))}</code>, cut-off {spec.cutoff_min} min, at most {spec.max_transfers} transfers.</p>
<h2>Edits</h2><ul>{edits}</ul>{notes}
<h2>Overall</h2><table>{table}</table>
<h2>Plots</h2>{imgs}
<h2>Tables</h2><p>{links}</p>
<p><code>differences</code>: per place (as origin): destinations reachable before/after, lost, gained,
faster, slower, mean and median change of the median travel time; <code>pair_differences</code>: only the pairs
whose median changed (status <code>both</code>, <code>lost</code> or <code>gained</code>); <code>accessibility</code>:
places (and weight) reachable within each threshold, baseline and scenario.</p>
<p>Travel times are p25/p50/p75 over the departure minutes (nearest rank, unreachable minutes count as
infinite, as R5); a pair is listed when its median is within the cut-off. Differences are scenario − baseline.</p>
<h2>Reproduce</h2>
<p><code>maas scenario run {e(str(spec.source or 'FILE'))} --network {e(str(res.summary['inputs']['network'] or 'NETWORK'))} -o OUTDIR</code>
(scenario file sha256 <code>{e(str(spec.sha256))}</code>); maas {e(ver['maas'])}, run {e(run['mode'])},
{e(str(run['timings'].get('matrices_s', '')))} s for the matrices. Inputs and versions: <a href="summary.json">summary.json</a>.</p>
</body></html>
"""
