"""A self-contained HTML report of a scenario: inline PNG figures, inline CSS, no scripts, no
external requests (a test loads it in Chromium and counts network requests).

:func:`build_report` returns the HTML text; :func:`write_report` writes it. Every figure has a
caption naming its data, source, date and assumptions; every scene repeats its dataset line.
"""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path
from typing import Any

from ..timeutil import isoformat

__all__ = ["build_report", "figure_png", "write_report"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1c2833;background:#fbfcfc}
header{background:#1b2631;color:#fff;padding:1.2em 2em}header h1{margin:0 0 .2em}header p{margin:.2em 0;color:#d5d8dc}
main{max-width:1060px;margin:0 auto;padding:1em 2em}section{margin:1.6em 0;border-top:1px solid #d5d8dc;padding-top:.6em}
.data{font-size:.85em;color:#566573;background:#f4f6f6;border-left:3px solid #5d6d7e;padding:.4em .8em}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #d5d8dc}figcaption{font-size:.8em;color:#566573}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}td,th{border:1px solid #d5d8dc;padding:.25em .6em;text-align:left}
th{background:#eaeded}.num{text-align:right;font-variant-numeric:tabular-nums}.warn{color:#922b21}
footer{font-size:.8em;color:#566573;padding:1em 2em;border-top:1px solid #d5d8dc}
"""


def figure_png(fig: Any) -> str:
    """A matplotlib Figure as a ``data:image/png;base64,…`` URI (Agg canvas, no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _e(x: Any) -> str:
    return html.escape(str(x))


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return "–"
        if 0 < abs(v) < 1e-3 or abs(v) >= 1e7:
            return f"{v:.2e}"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.3f}".rstrip("0").rstrip(".")
    if isinstance(v, dict):
        return "; ".join(f"{_e(k)}: {_fmt(x)}" for k, x in v.items())
    if isinstance(v, list | tuple):
        return ", ".join(_fmt(x) for x in v) or "–"
    return _e(v if v is not None else "–")


def _scene_html(scene: Any) -> str:
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_fmt(v)}</td></tr>" for k, v in scene.numbers.items())
    assumptions = "".join(f"<li>{_e(a)}</li>" for a in scene.assumptions)
    return (
        f"<p class='data'><b>Data:</b> {_e(scene.dataset)} — <b>source:</b> {_e(scene.source)} — "
        f"<b>date:</b> {_e(scene.date)}</p>"
        + (f"<ul>{assumptions}</ul>" if assumptions else "")
        + (f"<table>{rows}</table>" if rows else "")
    )


def _figure_html(fig: Any, caption: str, alt: str) -> str:
    return f"<figure><img alt='{_e(alt)}' src='{figure_png(fig)}'><figcaption>{_e(caption)}</figcaption></figure>"


def _conjunction_table(res: Any) -> str:
    tri = res.triage
    head = (
        "<tr><th>#</th><th>TCA (UTC)</th><th>objects</th><th>miss km</th><th>speed km/s</th><th>Pc</th></tr>"
    )
    rows = "".join(
        f"<tr><td>{k + 1}</td><td>{_e(isoformat(e.tca))}</td><td>{_e(e.primary_name)} × {_e(e.secondary_name)}</td>"
        f"<td class='num'>{e.miss_distance_m / 1000:.2f}</td><td class='num'>{e.relative_speed_m_s / 1000:.2f}</td>"
        f"<td class='num'>{e.pc:.1e}</td></tr>"
        for k, e in enumerate(tri.headline[:10])
    )
    pairs = "".join(
        f"<li><b>{_e(p.primary_name)} / {_e(p.secondary_name)}</b>: {p.kind}, {p.events} listed approaches; "
        f"separation {p.min_separation_m:.0f}–{p.max_separation_m:.0f} m, relative speed ≤ "
        f"{p.max_relative_speed_m_s:.2f} m/s over the window — not a collision threat, left out of the headline.</li>"
        for p in tri.pairs
    )
    return (
        f"<p>{len(res.conjunctions)} approaches within {res.config.screen_threshold_km:g} km; "
        f"{len(tri.headline)} real encounters, ordered as an analyst reads them (highest Pc first, then smallest "
        "miss at high relative speed).</p>"
        f"<table>{head}{rows}</table>"
        + (f"<p>Set aside:</p><ul>{pairs}</ul>" if pairs else "")
        + "<p class='data'>Pc uses skywarden's default TLE covariance model "
        "(covariance_source: default-tle-model): an indicator, not an operational Pc.</p>"
    )


def build_report(res: Any, *, title: str = "skywarden — a second object") -> str:
    """The report's HTML text for a :class:`~skywarden.scenario.ScenarioResult`."""
    from . import figures

    ds = res.datasets
    data_rows = "".join(
        f"<tr><td>{_e(d.name)}</td><td>{_e(d.date)}</td><td>{_e(d.source)}</td><td>{_e(d.licence)}</td></tr>"
        for d in (ds.catalog, *ds.winds)
    )
    mixed = (
        ""
        if ds.live
        else "<p class='warn'>Two dates, on purpose: the air scenes run on the packaged GFS wind field "
        "(2011-01-15), the space scenes on the packaged satellite catalog (2026-05-30); no public wind field "
        "of 2026-05-30 is packaged. <code>skywarden demo --live</code> runs everything on today's data.</p>"
    )
    figs = {
        "track": figures.map_figure(res),
        "altitude": figures.altitude_figure(res),
        "zones": figures.ensemble_figure(res),
        "termination": figures.termination_figure(res),
        "overflight": figures.overflight_figure(res),
    }
    if res.real_tracking is not None:
        figs["real"] = figures.real_flight_figure(res)
    where = {"backtrack": "track", "forecast": "altitude", "zones": "zones", "termination": "termination",
             "overflight": "overflight", "real": "real"}  # fmt: skip
    placed: set[str] = set()
    sections = []
    for k, scene in enumerate(res.scenes, start=1):
        body = _scene_html(scene)
        key = where.get(scene.key)
        if key is not None and key in figs and key not in placed:
            fig, cap = figs[key]
            body += _figure_html(fig, cap, scene.title)
            placed.add(key)
        if scene.key == "conjunctions":
            body += _conjunction_table(res)
        sections.append(f"<section id='{_e(scene.key)}'><h2>{k}. {_e(scene.title)}</h2>{body}</section>")
    rec = res.termination.recommendation or {}
    summary = (
        f"<p><b>Object:</b> {_e(res.track.classification.label)} at {res.track.alt_m[-1] / 1000:.1f} km, last report "
        f"{_e(isoformat(res.track.time[-1]))}. "
        + " ".join(
            f"<b>{_e(s.zone_name)}</b>: {s.probability:.0%}"
            + (f" (median entry {_e(isoformat(s.most_likely))})" if s.most_likely is not None else "")
            + "."
            for s in res.zone_stats
        )
        + (
            f" <b>Recommended termination:</b> {_e(rec.get('time'))} (E_c {float(rec.get('ec') or 0):.1e})."
            if rec
            else ""
        )
        + f" <b>Conjunctions:</b> {len(res.conjunctions)} approaches, {len(res.triage.headline)} real encounters"
        + (
            "; set aside as formation or co-located pairs: "
            + ", ".join(f"{_e(p.primary_name)} / {_e(p.secondary_name)}" for p in res.triage.pairs)
            if res.triage.pairs
            else ""
        )
        + ".</p>"
    )
    credits = (
        "Satellite elements: Source: CelesTrak (celestrak.org); elements from the 18th Space Defense Squadron, USSF. "
        "Winds: NOAA NCEP GFS (public domain). Coastlines and borders: Natural Earth (public domain). "
        "ADIZ boundaries: 14 CFR 99 (eCFR); Canada: secondary transcription of the Designated Airspace Handbook "
        "(confidence medium)."
        + (f" Real flight SHAB12V: {ds.real_flight.licence}" if ds.real_flight is not None else "")
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{_e(title)}</h1><p>An unknown high-altitude object: tracked, classified, backtracked, "
        "predicted, and what it means for the watched sites — with the satellite picture alongside.</p>"
        f"<p>Generated by skywarden; {'live data' if ds.live else 'offline, built-in sample data'}.</p></header>"
        f"<main><section id='summary'><h2>Summary</h2>{summary}{mixed}"
        f"<table><tr><th>dataset</th><th>date</th><th>source</th><th>licence / credit</th></tr>{data_rows}</table>"
        f"</section>{''.join(sections)}</main><footer>{_e(credits)}</footer></body></html>"
    )


def write_report(res: Any, path: str | Path) -> Path:
    """Write :func:`build_report` to ``path`` (UTF-8) and return it."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(build_report(res), encoding="utf-8")
    return p
