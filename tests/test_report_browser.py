"""The HTML report opened in headless Chromium: the figures shown are the marts' figures."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.browser import browse, chromium  # noqa: F401 (fixture)
from tests.helpers import write_config
from tests.test_credentialing_exports import built_db  # noqa: F401 (fixture)


class Figures(HTMLParser):
    """Collects the table cells and chart bars that carry data attributes."""

    def __init__(self):
        super().__init__()
        self.cells: dict[tuple, tuple[str, str]] = {}  # (mart, exam, period, field) -> shown
        self.bars: list[dict] = []
        self.totals: list[str] = []
        self._mart = self._row = self._svg = self._field = None
        self._text: list[str] = []
        self._in_total = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "data-mart" in a:
            self._mart = a["data-mart"]
        elif tag == "tr" and self._mart and "data-exam" in a:
            self._row = (a["data-exam"], a.get("data-quarter") or a.get("data-year"))
        elif tag == "td" and self._row and "data-field" in a:
            self._field, self._text = (a["data-field"], a["data-value"]), []
        elif tag == "svg":
            self._svg = a
        elif tag == "rect" and self._svg is not None and "data-field" in a:
            self.bars.append({**a, "chart": self._svg["data-chart"],
                              "scale": float(self._svg["data-scale"])})
        elif tag == "text" and a.get("class") == "total":
            self._in_total, self._text = True, []

    def handle_data(self, data):
        if self._field or self._in_total:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._field:
            field, value = self._field
            self.cells[(self._mart, *self._row, field)] = (value, "".join(self._text).strip())
            self._field = None
        elif tag == "text" and self._in_total:
            self.totals.append("".join(self._text))
            self._in_total = False
        elif tag == "tr":
            self._row = None
        elif tag == "table":
            self._mart = None
        elif tag == "svg":
            self._svg = None


def test_report_shows_the_marts_figures_in_chromium(built_db, tmp_path, chromium):  # noqa: F811
    from loaders.core.context import open_context
    from loaders.reporting.report import write_report

    sql = built_db
    ctx = open_context(write_config(tmp_path, []), quiet=True)
    try:
        paths = write_report(ctx, tmp_path / "reports")
    finally:
        ctx.conn.close()
    page = paths[0]
    marts = [r[0] for r in sql("select table_name from information_schema.tables "
                               "where table_schema = 'marts' order by 1")
             if not r[0].startswith("outbound_")]  # the exports' feeds, not reports
    assert {"mart_outcomes_quarterly", "mart_load_audit"} <= set(marts)
    assert page.name == "report.html"
    assert [p.name for p in paths[1:]] == [f"{m}.csv" for m in marts]

    html = page.read_text()
    # Self-contained: no script, no stylesheet link, nothing fetched from anywhere.
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\(", html, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html, re.I)

    dom = browse(chromium, page, "--dump-dom")
    figures = Figures()
    figures.feed(dom)

    outcomes = sql("select exam_code, quarter_start, passed, failed, no_show, total, pass_rate "
                   "from marts.mart_outcomes_quarterly")
    applicants = sql("select exam_code, year, new_applicants, retakes "
                     "from marts.mart_applicants_yearly")
    assert outcomes and applicants  # the scenario has results and applications
    expected = {}
    for exam, quarter, passed, failed, no_show, total, rate in outcomes:
        for field, value in (("passed", passed), ("failed", failed), ("no_show", no_show),
                             ("total", total)):
            expected[("mart_outcomes_quarterly", exam, quarter.isoformat(), field)] = (
                str(value), f"{value:,}")
        expected[("mart_outcomes_quarterly", exam, quarter.isoformat(), "pass_rate")] = (
            "" if rate is None else str(rate),
            "" if rate is None else f"{float(rate) * 100:.1f}%")
    for exam, year, new, retakes in applicants:
        for field, value in (("new_applicants", new), ("retakes", retakes)):
            expected[("mart_applicants_yearly", exam, str(year), field)] = (str(value),
                                                                             f"{value:,}")
    assert figures.cells == expected

    # Every bar is a mart figure, drawn to its chart's scale.
    bars = {(b["chart"], b["data-exam"], b.get("data-quarter") or b.get("data-year"),
             b["data-field"]): b for b in figures.bars}
    want = {("outcomes", e, q.isoformat(), f): v for e, q, p, fl, ns, _, _ in outcomes
            for f, v in (("passed", p), ("failed", fl), ("no_show", ns))}
    want |= {("applicants", e, str(y), f): v for e, y, n, r in applicants
             for f, v in (("new_applicants", n), ("retakes", r))}
    assert {k: int(b["data-value"]) for k, b in bars.items()} == want
    for b in figures.bars:
        assert float(b["height"]) == pytest.approx(int(b["data-value"]) * b["scale"], abs=0.01)
    shown_totals = sorted(int(t.replace(",", "")) for t in figures.totals)
    assert shown_totals == sorted([sum(r[2:5]) for r in outcomes] + [r[2] + r[3]
                                                                     for r in applicants])

    shot = tmp_path / "report.png"
    browse(chromium, page, "--window-size=1200,1600", f"--screenshot={shot}")
    assert shot.stat().st_size > 10_000  # something was drawn
