"""axe-core (npm, pinned in tests/axe/) in Chromium: the search page, a result
list with facets, an article, an error notice and the API docs page have no
WCAG 2 A/AA violation, at desktop and phone width."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_e2e import CHROMIUM, browser, servers  # noqa: F401  (the served app and Chromium)

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def run_axe(page) -> dict:
    """axe-core's WCAG 2 A/AA result on the page as it stands."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)


def violations(result: dict) -> list[str]:
    """The result's violations, one line each."""
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]]

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(
    not Path(CHROMIUM).exists() or not AXE.exists(),
    reason=f"needs Chromium at {CHROMIUM} and axe-core at {AXE} (make test installs both)")]

PAGES = ["/", "/?q=郑州&facets=1", "/?q=郑州&sort=-date&page=2&per_page=2", "/articles/n1?q=地铁",
         "/articles/c176767b90ea10a5",  # a seed article with a 相关报道 list
         "/?q=per_page&per_page=0", "/api/docs"]


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("path", PAGES)
def test_no_wcag_violations(servers, browser, path, width):  # noqa: F811
    base, *_ = servers
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        result = run_axe(page)
    finally:
        context.close()
    problems = violations(result)
    assert not problems, f"{path} at {width}px:\n" + "\n".join(problems)
    assert result["passes"], "axe ran no check"


def test_axe_reports_a_violation_it_is_shown(servers, browser):  # noqa: F811
    """The check can fail: an image without alt text added to the page is reported."""
    base, *_ = servers
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(base + "/")
        page.evaluate("document.body.appendChild(document.createElement('img')).src = '/assets/search.css'")
        result = run_axe(page)
    finally:
        context.close()
    assert "image-alt" in {v["id"] for v in result["violations"]}
