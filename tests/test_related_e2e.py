"""The article page's related list in Chromium: found by its heading, followed by keyboard."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from tests.related_articles import build_related_index

from .live import live_server, tab_to

from .test_e2e import browser, page  # noqa: F401  (Chromium and a page in it)
from .test_e2e import pytestmark  # noqa: F401  (e2e, skipped without Chromium)


@pytest.fixture(scope="module")
def related_server(tmp_path_factory):
    from api import create_app

    root = build_related_index(tmp_path_factory.mktemp("related-e2e"))
    with live_server(create_app({"INDEX_DIR": str(root), "REFRESH_INTERVAL": 0})) as base:
        yield base


def test_follow_a_related_article_by_keyboard(related_server, page):  # noqa: F811
    page.goto(related_server + "/articles/canteen?back=" + "/%3Fq%3D食堂")
    section = page.get_by_role("region", name="相关报道")
    assert section.get_by_role("heading", name="相关报道").is_visible()
    links = section.get_by_role("list").get_by_role("link")
    assert links.all_inner_texts() == ["社区食堂每周公布菜谱"]
    tab_to(page, "document.activeElement.closest('section.related') !== null", "the related link", presses=40)
    assert page.evaluate("document.activeElement.textContent") == "社区食堂每周公布菜谱"
    page.keyboard.press("Enter")
    page.wait_for_url("**/articles/canteen-menu**")
    assert page.locator("h1").inner_text() == "社区食堂每周公布菜谱"
    # the related article lists the first one in turn, and the way back still leads to the results
    assert page.get_by_role("region", name="相关报道").get_by_role("link").all_inner_texts() == ["城东社区食堂开张"]
    page.locator("a.back").click()
    page.wait_for_url("**/?q=*")
    assert unquote(page.url) == related_server + "/?q=食堂"
