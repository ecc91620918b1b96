"""In Chromium: the collapsed versions of a story open by keyboard (and by mouse)."""

from __future__ import annotations

import pytest

from .conftest import build_index, write_jsonl
from .live import live_server
from .story_fixtures import story_docs
from .test_e2e import browser, page, pytestmark  # noqa: F401  (the shared Chromium fixtures and marks)


@pytest.fixture(scope="module")
def story_server(tmp_path_factory):
    from api import create_app

    tmp = tmp_path_factory.mktemp("e2e-stories")
    store, _ = build_index(tmp, [str(write_jsonl(tmp / "s.jsonl", story_docs()))])
    with live_server(create_app({"INDEX_DIR": str(store.root), "REFRESH_INTERVAL": 0})) as base:
        yield base


def test_collapsed_versions_expand_by_keyboard_and_lead_to_a_version(story_server, page):
    page.goto(story_server + "/?q=小青河&sort=date")
    assert page.locator("li.hit").count() == 2
    versions = page.locator("li.hit").first.locator("details.versions")
    links = versions.locator("li a")
    assert links.count() == 3 and not links.first.is_visible()
    versions.locator("summary").focus()
    page.keyboard.press("Enter")
    assert links.first.is_visible() and versions.evaluate("d => d.open")
    assert links.nth(1).inner_text() == "東湖區整治小青河"
    page.keyboard.press("Tab")  # the first version's link is next in the tab order
    page.keyboard.press("Enter")
    page.wait_for_url("**/articles/river-a**")
    assert "同一报道的其他版本" in page.content()


def test_the_switch_shows_every_version_and_back(story_server, page):
    page.goto(story_server + "/?q=小青河")
    page.get_by_role("link", name="显示每个版本").click()
    page.wait_for_url("**collapse=none**")
    assert page.locator("li.hit").count() == 5 and page.locator("details.versions").count() == 0
    page.get_by_role("link", name="同一报道的版本合为一条").click()
    page.wait_for_function("document.querySelectorAll('li.hit').length === 2")
    assert "collapse" not in page.url
