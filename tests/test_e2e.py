"""End-to-end in Debian's Chromium (driven by Playwright): page and widget.

The app is served on one localhost port and a host page for the widget on
another (a different origin, so the widget goes through CORS).  Screenshots
of failing tests are saved under tests/artifacts/.
"""

from __future__ import annotations

import csv
import io

import os
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .live import live_server, tab_to

CHROMIUM = os.environ.get("NEWSEARCH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium)")]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture(scope="module")
def servers(news_dir, tmp_path_factory):
    from api import create_app

    host_dir = tmp_path_factory.mktemp("host")
    host = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(host_dir)))
    stranger = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(host_dir)))
    host_origin = f"http://127.0.0.1:{host.server_port}"
    app = create_app({"INDEX_DIR": str(news_dir), "CORS_ORIGINS": host_origin, "REFRESH_INTERVAL": 0})
    example = (Path(__file__).parent.parent / "api" / "static" / "widget-example.html").read_text(encoding="utf-8")
    for s in (host, stranger):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    with live_server(app) as base:
        (host_dir / "index.html").write_text(example.replace("http://127.0.0.1:8000", base), encoding="utf-8")
        yield base, host_origin, f"http://127.0.0.1:{stranger.server_port}"
    for s in (host, stranger):
        s.shutdown()
        s.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # pragma: no cover - used by the page fixture
    outcome = yield
    setattr(item, "rep_" + outcome.get_result().when, outcome.get_result())


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def test_search_facet_page_article_and_back(servers, page):
    base, *_ = servers
    page.goto(base + "/")
    page.keyboard.press("/")  # focuses the search box
    page.keyboard.type("发展 OR 地铁")
    page.keyboard.press("Enter")
    page.wait_for_selector(".hit")
    assert "q=" in page.url
    total = int(page.locator(".summary strong").inner_text())
    assert total >= 5
    assert page.locator(".hit mark").count() > 0
    # a facet narrows the search and lands in the URL
    page.locator(".facet a", has_text="郑州日报").first.click()
    page.wait_for_selector(".active a")
    assert "source=" in page.url and int(page.locator(".summary strong").inner_text()) == 1
    page.go_back()
    assert int(page.locator(".summary strong").inner_text()) == total
    # paging
    page.goto(base + "/?q=" + "发展 OR 地铁" + "&per_page=2")
    page.locator(".pager a", has_text="2").first.click()
    page.wait_for_selector('.pager [aria-current="page"]')
    assert page.locator('.pager [aria-current="page"]').inner_text() == "2" and "page=2" in page.url
    results_url = page.url
    # open an article, then go back to the same results
    page.locator(".hit h3 a").first.click()
    page.wait_for_selector("article.article")
    page.locator("a.back").click()
    page.wait_for_selector(".hit")
    assert page.url == results_url


def test_phrase_is_highlighted_as_one_mark(servers, page):
    base, *_ = servers
    page.goto(base + "/?q=%22中原科技城%22")
    marks = page.locator(".hit mark").all_inner_texts()
    assert marks and set(marks) == {"中原科技城"}


def test_article_html_is_shown_as_text_and_never_runs(servers, page):
    base, *_ = servers
    page.goto(base + "/?q=网页安全")
    title = page.locator(".hit h3").first.inner_text()
    assert "<script>alert('t')</script>" in title
    page.locator(".hit h3 a").first.click()
    page.wait_for_selector("article.article")
    assert page.locator("article img").count() == 0
    assert "<img src=x onerror=alert(1)>" in page.locator("article").inner_text()
    assert page.locator("article a[href^='javascript']").count() == 0
    assert page.dialogs == []


def test_works_without_javascript(servers, browser):
    base, *_ = servers
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(base + "/")
    pg.fill("#q", "黑灯工厂")
    pg.press("#q", "Enter")
    pg.wait_for_selector(".hit")
    assert "黑灯工厂" in pg.locator(".hit mark").first.inner_text()
    context.close()


def test_phone_width_has_no_horizontal_scroll(servers, browser):
    base, *_ = servers
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True)
    pg = context.new_page()
    pg.goto(base + "/?q=发展")
    pg.wait_for_selector(".hit")
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "phone.png"), full_page=False)
    context.close()


def test_empty_and_bad_queries_get_friendly_messages(servers, page):
    base, *_ = servers
    page.goto(base + "/?q=")
    assert "请输入" in page.locator("main").inner_text()
    page.goto(base + "/?q=foo:bar")
    assert "查询有误" in page.locator(".notice.error").inner_text()


def test_widget_on_another_origin(servers, page):
    base, host_origin, _ = servers
    page.goto(host_origin + "/index.html")
    box = page.locator("news-search input")
    box.fill('"黑灯工厂"')
    box.press("Enter")
    page.wait_for_selector("news-search li")
    assert page.locator("news-search li").count() == 2
    assert set(page.locator("news-search li mark").all_inner_texts()) == {"黑灯工厂"}
    link = page.locator("news-search li a").first.get_attribute("href")
    assert link.startswith(base + "/articles/")
    # the host page's styles do not leak in: links keep the widget's colour
    colour = page.locator("news-search li a").first.evaluate("a => getComputedStyle(a).color")
    assert colour != "rgb(255, 105, 180)"
    # hostile article text stays text inside the widget too
    box.fill("网页安全")
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('news-search').shadowRoot.querySelectorAll('li').length == 1")
    assert page.locator("news-search img").count() == 0
    assert "<script>" in page.locator("news-search li a").first.inner_text()
    assert page.dialogs == []


def test_widget_refused_by_an_origin_not_allowed(servers, page):
    _, _, stranger = servers  # serves the same host page, but is not in CORS_ORIGINS
    page.goto(stranger + "/index.html")
    page.locator("news-search input").fill("地铁")
    page.locator("news-search input").press("Enter")
    page.wait_for_function("() => /无法连接/.test(document.querySelector('news-search').shadowRoot.textContent)")
    assert page.locator("news-search li").count() == 0


def test_timeline_bar_narrows_the_dates_by_mouse_and_keyboard(servers, page):
    base, *_ = servers
    page.goto(base + "/?q=" + "郑州 OR 公交")
    bars = page.locator(".timeline a")
    assert bars.count() == 3
    bars.nth(2).click()
    page.wait_for_url("**date_from=2023-07-01**")
    assert "date_to=2023-07-31" in page.url and "按日分布" in page.content()
    page.go_back()
    page.locator(".timeline a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**date_from=2023-01-01**")


def test_subscribe_link_is_reachable_by_keyboard_and_serves_the_feed(servers, page):
    base, *_ = servers
    page.goto(base + "/?q=" + "地铁" + "&source=郑州晚报")
    page.wait_for_selector(".hit")
    assert page.locator('head link[rel="alternate"][type="application/atom+xml"]').count() == 1
    page.locator("#q").focus()
    tab_to(page, "document.activeElement.classList.contains('subscribe')", "the subscribe link")
    assert page.evaluate("document.activeElement.textContent") == "订阅"
    href = page.evaluate("document.activeElement.href")
    assert href.startswith(base + "/api/feed?") and "source=" in href
    resp = page.request.get(href)
    assert resp.status == 200 and resp.headers["content-type"].startswith("application/atom+xml")
    assert "<feed" in resp.text() and "公交线路调整" in resp.text()


def test_export_link_is_reachable_by_keyboard_and_downloads_every_match(servers, page):
    base, *_ = servers
    page.goto(base + "/?q=" + "地铁" + "&per_page=1")
    page.wait_for_selector(".hit")
    total = int(page.locator(".summary strong").first.inner_text().replace(",", ""))
    page.locator("#q").focus()
    tab_to(page, "document.activeElement.textContent.startsWith('导出全部结果')", "the CSV export link")
    href = page.evaluate("document.activeElement.href")
    assert href.startswith(base + "/api/export?") and "per_page" not in href
    resp = page.request.get(href)
    assert resp.status == 200 and resp.headers["content-type"].startswith("text/csv")
    body = resp.body()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read Chinese
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:2] == ["id", "date"] and len(rows) - 1 == total > 1  # every match, not the one page shown
