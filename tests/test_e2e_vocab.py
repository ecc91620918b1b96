"""The page's "also searched" line in Chromium (issue 14): the widening is
shown, the matched aliases are marked, and one link searches without it."""

from __future__ import annotations

import pytest

from tests.test_e2e import CHROMIUM, browser  # noqa: F401 - the Chromium fixture
from tests.test_expansion import vocab_app  # noqa: F401 - the composed articles and vocabulary

from .live import live_server

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(
    not __import__("pathlib").Path(CHROMIUM).exists(), reason=f"Chromium not found at {CHROMIUM}")]


@pytest.fixture(scope="module")
def base(vocab_app):  # noqa: F811
    with live_server(vocab_app, close_app=False) as url:  # vocab_app is shared with other tests
        yield url


@pytest.mark.parametrize("width", [1280, 375])
def test_also_searched_and_search_without_widening(base, browser, width) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(base + "/")
    page.fill("#q", "绿城")
    page.press("#q", "Enter")
    page.wait_for_selector(".hit")
    assert page.locator(".expanded").inner_text().startswith("同时搜索：郑州、郑州市、商都")
    assert int(page.locator(".summary strong").inner_text()) == 6
    marks = set(page.locator(".hit mark").all_inner_texts())
    assert {"绿城", "商都", "郑州市"} <= marks
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.get_by_role("link", name="只搜原词，不扩展").click()
    page.wait_for_selector(".hit")
    assert "expand=false" in page.url
    assert int(page.locator(".summary strong").inner_text()) == 1
    assert set(page.locator(".hit mark").all_inner_texts()) == {"绿城"}
    page.get_by_role("link", name="按词表扩展搜索").click()
    page.wait_for_selector(".expanded")
    assert int(page.locator(".summary strong").inner_text()) == 6
    context.close()
