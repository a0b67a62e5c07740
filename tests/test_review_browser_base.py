"""The driver the review pages' tests stand on: headless Chromium through Selenium,
reading a live page served on 127.0.0.1, with vendor markup shown as text."""

from __future__ import annotations

import http.server
import threading

import pytest

from tests.browser import screenshot, webdriver  # noqa: F401 (fixture)

PAGE = (b"<!doctype html><html><head><meta charset='utf-8'><title>base</title></head>"
        b"<body><h1>Queue</h1><p id='name'>&lt;b&gt;Ann&lt;/b&gt; "
        b"&lt;script&gt;alert(1)&lt;/script&gt;Lee</p></body></html>")


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass


@pytest.fixture
def page_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_the_driver_reads_a_local_page_and_shows_escaped_markup_as_text(
        webdriver, page_url):  # noqa: F811
    from selenium.webdriver.common.by import By

    webdriver.get(page_url)
    assert webdriver.title == "base"
    element = webdriver.find_element(By.ID, "name")
    assert element.text == "<b>Ann</b> <script>alert(1)</script>Lee"
    # Shown as text: the paragraph holds no element of its own.
    assert webdriver.find_elements(By.CSS_SELECTOR, "#name *") == []
    assert webdriver.get_window_size() == {"width": 1280, "height": 900}


def test_a_screenshot_is_a_png_named_after_the_page(webdriver, page_url, tmp_path):  # noqa: F811
    webdriver.get(page_url)
    path = screenshot(webdriver, "base", folder=tmp_path / "images")
    assert path == tmp_path / "images" / "review-base.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
