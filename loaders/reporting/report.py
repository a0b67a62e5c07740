"""``report``: one self-contained HTML page of every domain's marts, plus a CSV per mart.

The page needs no network to open: the CSS is inline and the charts are SVG
drawn here, with no script at all. Every figure shown carries data attributes
(``data-exam``, ``data-quarter``, ``data-year``, ``data-month``, ``data-field``,
``data-value``)
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
MONTHLY_COLUMNS = ["test_code", "month_start", "scores", "persons"]
PROBLEM_COUNT_COLUMNS = ["domain", "problem_kind", "open", "handled"]
OPEN_PROBLEM_COLUMNS = ["problem_id", "domain", "problem_kind", "file_name", "line_number",
                        "explanation", "first_seen_at"]
SCORE_ERROR_COLUMNS = ["format_name", "rule", "errors", "files"]
QUARANTINE_COLUMNS = ["file_name", "domain", "explanation", "first_seen_at", "status"]


@dataclass(frozen=True)
class Series:
    field: str
    label: str
    colour: str


OUTCOME_SERIES = [Series("passed", "Passed", "#2e7d32"), Series("failed", "Failed", "#c62828"),
                  Series("no_show", "No-show", "#9e9e9e")]
APPLICANT_SERIES = [Series("new_applicants", "New applicants", "#1565c0"),
                    Series("retakes", "Retakes", "#ef6c00")]
MONTHLY_SERIES = [Series("scores", "Scores", "#6a1b9a")]
PROBLEM_SERIES = [Series("open", "Open", "#c62828"), Series("handled", "Handled", "#9e9e9e")]


def write_report(ctx, folder: Path) -> list[Path]:
    """Writes ``report.html`` and one CSV per mart into ``folder``; returns their paths."""
    csvs = export_marts(ctx, folder)
    outcomes = _rows(ctx.conn, "mart_outcomes_quarterly", OUTCOME_COLUMNS,
                     "exam_code, quarter_start")
    applicants = _rows(ctx.conn, "mart_applicants_yearly", APPLICANT_COLUMNS, "exam_code, year")
    page = render_html(outcomes, applicants, [p.name for p in csvs],
                       generated_at=datetime.now(UTC), problems=problem_figures(ctx.conn))
    path = folder / REPORT_NAME
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    log.info("report written to %s", path)
    return [path, *csvs]


def _rows(conn, table: str, columns: list[str], order: str, select: str | None = None,
          where: str = "true", group: str | None = None, limit: int | None = None
          ) -> list[dict] | None:
    """The mart's rows as dicts (``select`` for expressions named as ``columns``, with
    ``where``, ``group`` and ``limit``), or None when the mart was not built."""
    with conn.cursor() as cur:
        cur.execute("select 1 from information_schema.tables where table_schema = 'marts' "
                    "and table_name = %s", (table,))
        if cur.fetchone() is None:
            return None
        cur.execute(f"select {select or ', '.join(columns)} from marts.{table} where {where} "
                    + (f"group by {group} " if group else "") + f"order by {order}"
                    + (f" limit {int(limit)}" if limit else ""))
        return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def problem_figures(conn) -> dict:
    """What the report shows of the admissions scores and of the problems: counts of
    the marts' rows, each mart read as it is (the rules are in the models)."""
    return {
        "monthly": _rows(conn, "mart_admissions_scores_monthly", MONTHLY_COLUMNS,
                         "test_code, month_start"),
        "counts": _rows(conn, "mart_problems", PROBLEM_COUNT_COLUMNS, "domain, problem_kind",
                        select="domain, problem_kind, "
                               "sum(case when status = 'open' then 1 else 0 end), "
                               "sum(case when status = 'handled' then 1 else 0 end)",
                        group="domain, problem_kind"),
        "open": _rows(conn, "mart_problems", OPEN_PROBLEM_COLUMNS,
                      "first_seen_at desc nulls last, file_name, line_number nulls first",
                      where="status = 'open'", limit=OPEN_PROBLEMS_SHOWN),
        "score_errors": _rows(conn, "mart_score_errors", SCORE_ERROR_COLUMNS, "format_name, rule",
                              select="format_name, rule, count(*), count(distinct file_id)",
                              group="format_name, rule"),
        "quarantined": _rows(conn, "mart_problems", QUARANTINE_COLUMNS,
                             "first_seen_at desc nulls last, file_name",
                             where="problem_kind = 'quarantined_file'"),
    }


OPEN_PROBLEMS_SHOWN = 100


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
                 series: list[Series], rows: dict[str, dict], slot: int = 56,
                 bar: int = 34) -> str:
    """A stacked bar chart as inline SVG.

    ``categories`` are (key, label, data attribute name) along the x axis;
    ``rows`` maps a category key to its mart row. Categories without a row get
    no bar (the mart has no figure for them, so the chart shows none).
    """
    height, top_pad, bottom_pad, left_pad = 240, 16, 44, 48
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
        if label:
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
        if bar >= 20:  # narrow bars (months) leave their totals to the tooltip and table
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
                csv_names: list[str], generated_at: datetime,
                problems: dict | None = None) -> str:
    problems = problems or {}
    body = [f"<h1>scorebridge report</h1><p class=\"meta\">Generated "
            f"{generated_at:%Y-%m-%d %H:%M} UTC from the marts schema.</p>"]
    body.append(_outcomes_section(outcomes))
    body.append(_applicants_section(applicants))
    body.append(_monthly_section(problems.get("monthly")))
    body.append(_problems_section(problems.get("counts"), problems.get("open")))
    body.append(_errors_section(problems.get("score_errors"), problems.get("quarantined")))
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


def _cell(row: dict, f: str, number: bool = False) -> str:
    shown = _number(row[f]) if number else escape("" if row[f] is None else _shown(row[f]))
    css = ' class="n"' if number else ""
    value = _attr(_shown(row[f]) if row[f] is not None else None)
    return f'<td{css} data-field="{f}" data-value="{value}">{shown}</td>'


def _shown(value) -> str:
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return _iso(value) if isinstance(value, date) else str(value)


def _table(mart: str, keys: list[tuple[str, str]], rows: list[dict],
           columns: list[tuple[str, str, bool]]) -> str:
    """A table whose rows carry ``data-<attribute>`` for each (attribute, field) of
    ``keys`` and whose cells carry their field and value."""
    head = "".join(f"<th>{escape(label)}</th>" for _, label, _ in columns)
    body = [f'<table data-mart="{mart}"><thead><tr>{head}</tr></thead><tbody>']
    for r in rows:
        cells = "".join(_cell(r, f, number) for f, _, number in columns)
        attrs = " ".join(f'data-{a}="{_attr(_shown(r[f]))}"' for a, f in keys)
        body.append(f"<tr {attrs}>{cells}</tr>")
    body.append("</tbody></table>")
    return "".join(body)


def _monthly_section(rows: list[dict] | None) -> str:
    head = ("<h2>Admissions scores per test and month</h2><p>Scores received without an error, "
            "per test and month of the test date (marts.mart_admissions_scores_monthly).</p>")
    if rows is None:
        return head + '<p class="empty">marts.mart_admissions_scores_monthly was not built.</p>'
    if not rows:
        return head + '<p class="empty">No admissions scores yet.</p>'
    first, last = min(r["month_start"] for r in rows), max(r["month_start"] for r in rows)
    months, day = [], first
    while day <= last:  # every month in between, so a month with no score shows as a gap
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    categories = [(_iso(m), str(m.year) if m.month == 1 or m == first else "", "month")
                  for m in months]
    charts = []
    by_test: dict[str, dict] = {}
    for r in rows:
        by_test.setdefault(r["test_code"], {})[_iso(r["month_start"])] = r
    for test, keyed in by_test.items():
        svg = stacked_bars("scores_monthly", test, categories, MONTHLY_SERIES, keyed,
                           slot=14, bar=10)
        charts.append(f"<figure><h3>{escape(test)}</h3>{svg}</figure>")
    table = ['<table data-mart="mart_admissions_scores_monthly"><thead><tr><th>Test</th>'
             "<th>Month</th><th>Scores</th><th>People</th></tr></thead><tbody>"]
    for r in rows:
        cells = "".join(_cell(r, f, number=True) for f in ("scores", "persons"))
        table.append(f'<tr data-exam="{_attr(r["test_code"])}" '
                     f'data-month="{_iso(r["month_start"])}"><td>{escape(r["test_code"])}</td>'
                     f"<td>{r['month_start']:%Y-%m}</td>{cells}</tr>")
    table.append("</tbody></table>")
    return head + f'<div class="charts">{"".join(charts)}</div>' + "".join(table)


def _problems_section(counts: list[dict] | None, open_rows: list[dict] | None) -> str:
    head = ("<h2>Anomalies and open problems</h2><p>What needs a person, per domain and kind: "
            "the result anomalies, the error rows and the quarantined files, open or handled "
            "(marts.mart_problems; mark one handled with <code>python cli.py handle "
            "PROBLEM_ID --note ...</code>).</p>")
    if counts is None:
        return head + '<p class="empty">marts.mart_problems was not built.</p>'
    if not counts:
        return head + '<p class="empty">No problems found.</p>'
    charts = []
    by_domain: dict[str, list[dict]] = {}
    for r in counts:
        by_domain.setdefault(r["domain"], []).append(r)
    for domain, rows in by_domain.items():
        categories = [(r["problem_kind"], r["problem_kind"].replace("_", " "), "kind")
                      for r in rows]
        keyed = {r["problem_kind"]: r for r in rows}
        svg = stacked_bars("problems", domain, categories, PROBLEM_SERIES, keyed,
                           slot=110, bar=40)
        charts.append(f"<figure><h3>{escape(domain)}</h3>{svg}</figure>")
    counts_table = _table("mart_problems", [("kind", "problem_kind"), ("domain", "domain")], counts, [
        ("problem_kind", "Kind", False), ("domain", "Domain", False), ("open", "Open", True),
        ("handled", "Handled", True)])
    shown = open_rows or []
    listing = ("<h3>Open problems</h3>" + (
        _table("mart_problems_open", [("problem", "problem_id")], shown, [
            ("problem_id", "Problem", False), ("domain", "Domain", False),
            ("problem_kind", "Kind", False), ("file_name", "File", False),
            ("line_number", "Line", True), ("explanation", "Explanation", False),
            ("first_seen_at", "First seen", False)])
        + (f'<p class="meta">The first {OPEN_PROBLEMS_SHOWN} shown; every one is in '
           "mart_problems.csv.</p>" if len(shown) >= OPEN_PROBLEMS_SHOWN else "")
        if shown else '<p class="empty">None open.</p>'))
    return (head + _legend(PROBLEM_SERIES) + f'<div class="charts">{"".join(charts)}</div>'
            + counts_table + listing)


def _errors_section(score_errors: list[dict] | None, quarantined: list[dict] | None) -> str:
    head = ("<h2>Score errors and quarantined files</h2><p>Admissions validation failures per "
            "format and rule (marts.mart_score_errors), and every file held back whole, by "
            "custody or by the admissions models (marts.mart_problems).</p>")
    parts = [head, "<h3>Score errors</h3>"]
    if score_errors is None:
        parts.append('<p class="empty">marts.mart_score_errors was not built.</p>')
    elif not score_errors:
        parts.append('<p class="empty">No score errors.</p>')
    else:
        parts.append(_table("mart_score_errors", [("format", "format_name"), ("rule", "rule")],
                            score_errors, [
            ("format_name", "Format", False), ("rule", "Rule", False),
            ("errors", "Errors", True), ("files", "Files", True)]))
    parts.append("<h3>Quarantined files</h3>")
    if quarantined is None:
        parts.append('<p class="empty">marts.mart_problems was not built.</p>')
    elif not quarantined:
        parts.append('<p class="empty">No quarantined files.</p>')
    else:
        parts.append(_table("mart_file_quarantine", [("file", "file_name")], quarantined, [
            ("file_name", "File", False), ("domain", "Quarantined by", False),
            ("explanation", "Reason", False), ("first_seen_at", "Received", False),
            ("status", "Status", False)]))
    return "".join(parts)
