"""The search box's suggestions in Chromium (Playwright): an ARIA 1.2
combobox used by keyboard, at desktop and phone width, and axe finds no
WCAG violation while it is open."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from .test_accessibility import AXE, run_axe, violations
from .test_e2e import CHROMIUM, browser, servers  # noqa: F401  (the served app and Chromium)

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(
    not __import__("pathlib").Path(CHROMIUM).exists(), reason=f"Chromium not found at {CHROMIUM}")]

OPTIONS = "#q-suggestions [role=option]"


def _page(browser, width):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN",
                                  is_mobile=width < 500, has_touch=width < 500)
    return context, context.new_page()


@pytest.mark.parametrize("width", [1280, 375])
def test_type_pinyin_arrow_down_enter_searches_the_characters(servers, browser, width):  # noqa: F811
    base, *_ = servers
    context, page = _page(browser, width)
    try:
        page.goto(base + "/")
        box = page.locator("#q")
        assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-expanded") == "false"
        box.focus()
        page.keyboard.type("zz")
        page.wait_for_selector(OPTIONS)
        assert box.get_attribute("aria-expanded") == "true"
        first = page.locator(OPTIONS).first
        assert "郑州" in first.inner_text()
        assert page.locator("#q-suggestions").get_attribute("role") == "listbox"
        assert box.get_attribute("aria-controls") == "q-suggestions"
        # the list fits the screen: no horizontal scroll at phone width either
        right = page.evaluate("document.getElementById('q-suggestions').getBoundingClientRect().right")
        assert right <= width and page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.keyboard.press("ArrowDown")
        assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
        assert first.get_attribute("aria-selected") == "true"
        page.keyboard.press("ArrowUp")  # wraps to the last one
        assert box.get_attribute("aria-activedescendant") == page.locator(OPTIONS).last.get_attribute("id")
        page.keyboard.press("ArrowDown")  # back to the first
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert unquote(page.url).endswith("/?q=郑州")  # the characters were searched, not the pinyin
        assert page.locator("#q").input_value() == "郑州"
        assert int(page.locator(".summary strong").inner_text()) == 6
    finally:
        context.close()


def test_escape_closes_and_keeps_the_text(servers, browser):  # noqa: F811
    base, *_ = servers
    context, page = _page(browser, 1280)
    try:
        page.goto(base + "/")
        page.locator("#q").focus()
        page.keyboard.type("郑")
        page.wait_for_selector(OPTIONS)
        page.keyboard.press("Escape")
        assert page.locator("#q-suggestions").is_hidden()
        assert page.locator("#q").get_attribute("aria-expanded") == "false"
        assert page.locator("#q").input_value() == "郑"
        # ArrowDown opens it again; Enter without a chosen option searches what was typed
        page.keyboard.press("ArrowDown")
        page.wait_for_selector(OPTIONS)
        page.keyboard.press("Escape")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert unquote(page.url).endswith("/?q=郑")
    finally:
        context.close()


def test_typing_on_replaces_the_list_without_emptying_it_first(servers, browser):  # noqa: F811
    """No flicker: between keystrokes the list shown stays until the next answer replaces it."""
    base, *_ = servers
    context, page = _page(browser, 1280)
    try:
        page.goto(base + "/")
        page.locator("#q").focus()
        page.keyboard.type("h")
        page.wait_for_selector(OPTIONS)
        page.evaluate("""() => { window.emptied = 0; new MutationObserver(() => {
            if (!document.querySelector('#q-suggestions [role=option]')) window.emptied++; })
            .observe(document.getElementById('q-suggestions'), {childList: true}); }""")
        page.keyboard.type("ei")
        page.wait_for_function("document.querySelector('#q-suggestions [role=option]').textContent.includes('黑灯')")
        page.wait_for_timeout(300)
        assert page.evaluate("window.emptied") == 0
    finally:
        context.close()


@pytest.mark.skipif(not AXE.exists(), reason=f"axe-core not found at {AXE} (make test installs it)")
@pytest.mark.parametrize("width", [1280, 375])
def test_no_wcag_violations_with_the_list_open(servers, browser, width):  # noqa: F811
    base, *_ = servers
    context, page = _page(browser, width)
    try:
        page.goto(base + "/?q=郑州")
        page.locator("#q").fill("")
        page.locator("#q").focus()
        page.keyboard.type("zz")
        page.wait_for_selector(OPTIONS)
        page.keyboard.press("ArrowDown")
        result = run_axe(page)
    finally:
        context.close()
    problems = violations(result)
    assert not problems, "\n".join(problems)
