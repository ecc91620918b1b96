"""The fixed requests of ``tests/golden_record.py`` answer exactly as recorded.

A refactor must not change what users see.  When a change of behaviour is
intended, the diff this test prints is reviewed and the golden files are
recorded again with ``python -m tests.golden_record NAME …`` (and committed
with the change, so the review sees both).
"""

from __future__ import annotations

import difflib

import pytest

from tests.golden_record import CASES, GOLDEN_DIR, Case, Runner, dumps, golden_path


@pytest.fixture(scope="module")
def runner(news_dir):
    r = Runner(news_dir)
    yield r
    r.close()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_response_matches_golden(runner: Runner, case: Case) -> None:
    path = golden_path(case)
    assert path.is_file(), f"no golden file {path.name}: record it with python -m tests.golden_record {case.name}"
    expected = path.read_text(encoding="utf-8")
    actual = dumps(runner.run(case))
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                            f"golden/{path.name}", "now", n=2))
        pytest.fail(f"{case.method} {case.path} {case.query or case.json or ''} answers differently from "
                    f"tests/golden/{path.name}:\n{diff}\nIf the change is intended, review it and record "
                    f"again: python -m tests.golden_record {case.name}", pytrace=False)


def test_every_golden_file_has_a_case() -> None:
    names = {c.name for c in CASES}
    assert len(names) == len(CASES), "duplicate case names"
    stray = sorted(p.stem for p in GOLDEN_DIR.glob("*.json") if p.stem not in names)
    assert not stray, f"golden files without a case (delete them): {stray}"


def test_normalization_keeps_what_matters() -> None:
    """The page rendering must keep marks, links, fields and notices, so a change in them shows."""
    from tests.golden_record import page_lines

    html = ('<html><head><title>t</title></head><body><main><p class="notice error">查询有误</p>'
            '<h3><a href="/articles/n1?q=%E9%83%91">x<mark>郑州</mark>y</a></h3>'
            '<input type="hidden" name="per_page" value="80"><script>var a=1;</script>'
            '<footer>help</footer></main></body></html>')
    assert page_lines(html) == ["TITLE: t", "<notice error> 查询有误", "[x⟦郑州⟧y](/articles/n1?q=郑)",
                                "{input type='hidden' name='per_page' value='80'}"]
