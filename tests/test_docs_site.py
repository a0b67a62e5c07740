"""The docs site opened from disk in headless Chromium: its first page is the project overview.

dbt's plain ``index.html`` fetches ``manifest.json`` and ``catalog.json``, which a
browser refuses for a page opened from ``file://``; the page the ``docs`` verb
writes has them inlined, so the overview and the model tree render with no
server and no network.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from tests.browser import browse, chromium  # noqa: F401 (fixture)
from tests.helpers import ROOT, run_cli

OVERVIEW = ROOT / "models" / "overview.md"
BROWSE_SECONDS = 60  # the page renders in about 3 s


class Rendered(HTMLParser):
    """The text a person sees (not scripts, where the inlined JSON also holds it), and the
    models of the navigation tree."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self):
        super().__init__()
        self.hidden = 0
        self.parts: list[str] = []
        self.headings: list[str] = []
        self.tree: set[str] = set()
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in {"h1", "h2"}:
            self._heading = []
        nav = dict(attrs).get("data-nav-unique-id")
        if tag == "a" and nav:
            self.tree.add(nav)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden -= 1
        elif tag in {"h1", "h2"} and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)
            if self._heading is not None:
                self._heading.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def overview_headings() -> list[str]:
    """The `#` and `##` headings of the overview docs block."""
    return [line.lstrip("#").strip() for line in OVERVIEW.read_text().splitlines()
            if line.startswith(("# ", "## "))]


def test_docs_site_opens_from_disk_on_the_overview(db_url, tmp_path, chromium):  # noqa: F811
    result = run_cli("--quiet", "docs", cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    page = Path(result.stdout.strip().splitlines()[-1])
    assert page == tmp_path / "docs-site" / "index.html"  # the default --out
    assert page.stat().st_size > 100_000

    dom = browse(chromium, page, "--dump-dom", timeout=BROWSE_SECONDS)
    shown = Rendered()
    shown.feed(dom)

    # The overview was read from the inlined manifest and rendered as the first page.
    headings = overview_headings()
    assert {"scorebridge", "Files that leave the system", "Reading the lineage"} <= set(headings)
    assert set(headings) <= set(shown.headings), shown.headings
    assert "scorebridge moves exam and test-score data" in shown.text
    assert "Welcome to the auto-generated documentation" not in shown.text
    # The model tree was built from it too.
    assert {"model.scorebridge.mart_eligibility_candidates",
            "model.scorebridge.mart_outcomes_quarterly"} <= shown.tree
