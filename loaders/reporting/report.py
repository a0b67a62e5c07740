"""``report``: one self-contained HTML page of the credentialing marts, plus a CSV per mart.

The page needs no network to open: the CSS is inline and the charts are SVG
drawn here, with no script at all. Every figure shown carries data attributes
(``data-exam``, ``data-quarter``, ``data-year``, ``data-field``, ``data-value``)
so a test, or a curious person, can check it against the mart it came from.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path

from loaders.outbound.csv_files import export_marts

log = logging.getLogger(__name__)

REPORT_NAME = "report.html"
OUTCOME_COLUMNS = ["exam_code", "quarter_start", "passed", "failed", "no_show", "total",
                   "pass_rate"]
APPLICANT_COLUMNS = ["exam_code", "year", "new_applicants", "retakes"]


@dataclass(frozen=True)
class Series:
    field: str
    label: str
    colour: str


OUTCOME_SERIES = [Series("passed", "Passed", "#2e7d32"), Series("failed", "Failed", "#c62828"),
                  Series("no_show", "No-show", "#9e9e9e")]
APPLICANT_SERIES = [Series("new_applicants", "New applicants", "#1565c0"),
                    Series("retakes", "Retakes", "#ef6c00")]


def write_report(ctx, folder: Path) -> list[Path]:
    """Writes ``report.html`` and one CSV per mart into ``folder``; returns their paths."""
    csvs = export_marts(ctx, folder)
    outcomes = _rows(ctx.conn, "mart_outcomes_quarterly", OUTCOME_COLUMNS,
                     "exam_code, quarter_start")
    applicants = _rows(ctx.conn, "mart_applicants_yearly", APPLICANT_COLUMNS, "exam_code, year")
    page = render_html(outcomes, applicants, [p.name for p in csvs],
                       generated_at=datetime.now(UTC))
    path = folder / REPORT_NAME
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    log.info("report written to %s", path)
    return [path, *csvs]


def _rows(conn, table: str, columns: list[str], order: str) -> list[dict] | None:
    """The mart's rows as dicts, or None when the mart was not built."""
    with conn.cursor() as cur:
        cur.execute("select 1 from information_schema.tables where table_schema = 'marts' "
                    "and table_name = %s", (table,))
        if cur.fetchone() is None:
            return None
        cur.execute(f"select {', '.join(columns)} from marts.{table} order by {order}")
        return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


# -- formatting ---------------------------------------------------------------------------
def quarter_label(day: date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def _iso(value) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _number(value) -> str:
    return "" if value is None else f"{int(value):,}"


def _rate(value) -> str:
    """pass_rate is a fraction (0-1) in the mart; shown as a percentage."""
    return "" if value is None else f"{float(value) * 100:.1f}%"


def _attr(value) -> str:
    return "" if value is None else escape(str(value), quote=True)


def _nice_step(top: float) -> int:
    """A round tick step (1, 2 or 5 times a power of ten) giving about five ticks."""
    if top <= 5:
        return 1
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 5, 10):
        if raw <= mult * power:
            return int(mult * power)
    return int(10 * power)


# -- charts -------------------------------------------------------------------------------
def stacked_bars(chart: str, group: str, categories: list[tuple[str, str, str]],
                 series: list[Series], rows: dict[str, dict]) -> str:
    """A stacked bar chart as inline SVG.

    ``categories`` are (key, label, data attribute name) along the x axis;
    ``rows`` maps a category key to its mart row. Categories without a row get
    no bar (the mart has no figure for them, so the chart shows none).
    """
    height, top_pad, bottom_pad, left_pad, slot, bar = 240, 16, 44, 48, 56, 34
    width = left_pad + slot * max(len(categories), 1) + 16
    plot_h = height - top_pad - bottom_pad
    totals = [sum(int(rows[k].get(s.field) or 0) for s in series) for k, _, _ in categories
              if k in rows]
    step = _nice_step(max(totals, default=0))
    top = max(step, math.ceil(max(totals, default=0) / step) * step)
    scale = plot_h / top
    base = top_pad + plot_h
    parts = [f'<svg class="chart" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{_attr(group)}" data-chart="{_attr(chart)}" '
             f'data-exam="{_attr(group)}" data-scale="{scale:.6f}">']
    for tick in range(0, top + 1, step):
        y = base - tick * scale
        parts.append(f'<line class="grid" x1="{left_pad}" x2="{width - 8}" y1="{y:.2f}" '
                     f'y2="{y:.2f}"/>')
        parts.append(f'<text class="tick" x="{left_pad - 6}" y="{y + 4:.2f}" '
                     f'text-anchor="end">{tick:,}</text>')
    for i, (key, label, attr) in enumerate(categories):
        x = left_pad + i * slot + (slot - bar) / 2
        parts.append(f'<text class="xlabel" x="{x + bar / 2:.2f}" y="{base + 16}" '
                     f'text-anchor="middle">{escape(label)}</text>')
        row = rows.get(key)
        if row is None:
            continue
        y = base
        for s in series:
            value = int(row.get(s.field) or 0)
            h = value * scale
            y -= h
            parts.append(
                f'<rect class="bar" x="{x:.2f}" y="{y:.2f}" width="{bar}" height="{h:.4f}" '
                f'fill="{s.colour}" data-exam="{_attr(group)}" data-{attr}="{_attr(key)}" '
                f'data-field="{s.field}" data-value="{value}">'
                f'<title>{escape(group)} {escape(label)}: {value:,} {escape(s.label.lower())}'
                f'</title></rect>')
        total = sum(int(row.get(s.field) or 0) for s in series)
        parts.append(f'<text class="total" x="{x + bar / 2:.2f}" y="{y - 4:.2f}" '
                     f'text-anchor="middle">{total:,}</text>')
    parts.append(f'<line class="axis" x1="{left_pad}" x2="{width - 8}" y1="{base}" '
                 f'y2="{base}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _legend(series: list[Series]) -> str:
    items = "".join(f'<span><i style="background:{s.colour}"></i>{escape(s.label)}</span>'
                    for s in series)
    return f'<p class="legend">{items}</p>'


# -- page ---------------------------------------------------------------------------------
CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c1c1c;
margin:2rem auto;max-width:1100px;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd}
h3{margin:1.2rem 0 .3rem}.meta{color:#666}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}.charts figure{margin:0}
.chart .grid{stroke:#e6e6e6}.chart .axis{stroke:#444}
.chart text{font-size:11px;fill:#444}.chart .total{font-weight:600;fill:#1c1c1c}
.legend span{margin-right:1rem}.legend i{display:inline-block;width:.8em;height:.8em;
margin-right:.3em;vertical-align:-1px}
table{border-collapse:collapse;margin:.6rem 0}th,td{padding:.25rem .7rem;
border-bottom:1px solid #eee}th{text-align:left;background:#f5f5f5}td.n{text-align:right;
font-variant-numeric:tabular-nums}.empty{color:#666;font-style:italic}
"""


def render_html(outcomes: list[dict] | None, applicants: list[dict] | None,
                csv_names: list[str], generated_at: datetime) -> str:
    body = [f"<h1>scorebridge report</h1><p class=\"meta\">Generated "
            f"{generated_at:%Y-%m-%d %H:%M} UTC from the marts schema.</p>"]
    body.append(_outcomes_section(outcomes))
    body.append(_applicants_section(applicants))
    links = "".join(f'<li><a href="{_attr(name)}">{escape(name)}</a></li>' for name in csv_names)
    body.append(f"<h2>Every mart as CSV</h2><ul>{links}</ul>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            f"<title>scorebridge report</title><style>{CSS}</style></head>"
            f"<body>{''.join(body)}</body></html>\n")


def _by_exam(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in rows:
        out.setdefault(row["exam_code"], []).append(row)
    return out


def _outcomes_section(rows: list[dict] | None) -> str:
    head = ("<h2>Exam outcomes per quarter</h2><p>Passed, failed and no-show results per "
            "exam and calendar quarter of the test date (marts.mart_outcomes_quarterly).</p>")
    if rows is None:
        return head + '<p class="empty">marts.mart_outcomes_quarterly was not built.</p>'
    if not rows:
        return head + '<p class="empty">No results yet.</p>'
    quarters = sorted({r["quarter_start"] for r in rows})
    categories = [(_iso(q), quarter_label(q), "quarter") for q in quarters]
    charts = []
    for exam, exam_rows in _by_exam(rows).items():
        keyed = {_iso(r["quarter_start"]): r for r in exam_rows}
        charts.append(f"<figure><h3>{escape(exam)}</h3>"
                      f"{stacked_bars('outcomes', exam, categories, OUTCOME_SERIES, keyed)}"
                      "</figure>")
    table = ['<table data-mart="mart_outcomes_quarterly"><thead><tr><th>Exam</th>'
             "<th>Quarter</th><th>Passed</th><th>Failed</th><th>No-show</th><th>Total</th>"
             "<th>Pass rate</th></tr></thead><tbody>"]
    for r in rows:
        cells = "".join(f'<td class="n" data-field="{f}" data-value="{_attr(r[f])}">'
                        f"{_number(r[f])}</td>" for f in ("passed", "failed", "no_show", "total"))
        table.append(f'<tr data-exam="{_attr(r["exam_code"])}" '
                     f'data-quarter="{_iso(r["quarter_start"])}"><td>{escape(r["exam_code"])}</td>'
                     f"<td>{quarter_label(r['quarter_start'])}</td>{cells}"
                     f'<td class="n" data-field="pass_rate" data-value="{_attr(r["pass_rate"])}">'
                     f"{_rate(r['pass_rate'])}</td></tr>")
    table.append("</tbody></table>")
    return (head + _legend(OUTCOME_SERIES) + f'<div class="charts">{"".join(charts)}</div>'
            + "".join(table))


def _applicants_section(rows: list[dict] | None) -> str:
    head = ("<h2>New applicants and retakes per year</h2><p>People applying for an exam for "
            "the first time, and people applying again, per exam and year "
            "(marts.mart_applicants_yearly).</p>")
    if rows is None:
        return head + '<p class="empty">marts.mart_applicants_yearly was not built.</p>'
    if not rows:
        return head + '<p class="empty">No applications yet.</p>'
    years = sorted({int(r["year"]) for r in rows})
    categories = [(str(y), str(y), "year") for y in years]
    charts = []
    for exam, exam_rows in _by_exam(rows).items():
        keyed = {str(int(r["year"])): r for r in exam_rows}
        charts.append(f"<figure><h3>{escape(exam)}</h3>"
                      f"{stacked_bars('applicants', exam, categories, APPLICANT_SERIES, keyed)}"
                      "</figure>")
    table = ['<table data-mart="mart_applicants_yearly"><thead><tr><th>Exam</th><th>Year</th>'
             "<th>New applicants</th><th>Retakes</th></tr></thead><tbody>"]
    for r in rows:
        cells = "".join(f'<td class="n" data-field="{f}" data-value="{_attr(r[f])}">'
                        f"{_number(r[f])}</td>" for f in ("new_applicants", "retakes"))
        table.append(f'<tr data-exam="{_attr(r["exam_code"])}" data-year="{int(r["year"])}">'
                     f"<td>{escape(r['exam_code'])}</td><td>{int(r['year'])}</td>{cells}</tr>")
    table.append("</tbody></table>")
    return (head + _legend(APPLICANT_SERIES) + f'<div class="charts">{"".join(charts)}</div>'
            + "".join(table))
