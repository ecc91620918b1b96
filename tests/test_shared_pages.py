"""The shared development rows (../shared/pages-dev): CSV reading, a build of
them, and page texts generated from them in every layout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from index.articles import Problem
from index.pages import collapse, parse_page
from index.sources import read_sources

from . import pagegen
from .conftest import ROOT, build_index
from .pages_expected import EXPECTED

SHARED = ROOT.parent / "shared" / "pages-dev"

#: Rows whose generated pages the reader still cuts wrongly (none now;
#: the split between the two unsigned CNKI articles 3 and 4 is read right
#: by its change of subject but reported uncertain).  Any change here must
#: be a fix: the test fails when a listed row starts to parse, and when an
#: unlisted one stops.
KNOWN_MISSES: set[tuple[str, int]] = set()


@pytest.fixture(scope="module")
def shared() -> Path:
    if not (SHARED / "xinmin_dev.csv").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"shared pages not found at {SHARED}")
        pytest.skip(f"shared pages not found at {SHARED}")
    return SHARED


def _expected(paper: str, i: int, row: dict, csv_reading: bool) -> dict:
    e = EXPECTED[paper][i]
    return dict(kicker=collapse(row["kicker"]), title=collapse(row["title"]), subtitle=collapse(row["subtitle"]),
                authors=e["authors"] if csv_reading else e["text_authors"], teaser=e["teaser"],
                summary=e["summary"], bounds=(e["first"], e["last"]))


def _got(a) -> dict:
    return dict(kicker=a.kicker, title=a.title, subtitle=a.subtitle, authors=a.authors, teaser=a.teaser,
                summary=len(a.summary.split("\n")) if a.summary else 0, bounds=pagegen.bounds(a.body))


def test_csv_exports_read_every_row_right(shared):
    problems: list[Problem] = []
    arts = list(read_sources([str(shared)], problems))
    assert problems == [] and len(arts) == 38
    rows = pagegen.load_rows(shared)
    by_file = {"cnki": [a for a in arts if a.origin.endswith("cnki_dev.csv")],
               "xinmin": [a for a in arts if a.origin.endswith("xinmin_dev.csv")]}
    for paper, got in by_file.items():
        assert [_got(a) for a in got] == [_expected(paper, i, r, True) for i, r in enumerate(rows[paper])]
    pages = [(a.page, a.page_no, a.section) for a in by_file["xinmin"]]
    assert pages[1] == ("第6/7版:上海新闻", 6, "上海新闻") and all(p[1] for p in pages)
    assert {a.page for a in by_file["cnki"]} <= {"1", "2", "6", "7"}
    assert all(a.tags for a in by_file["cnki"]) and "Download" in by_file["cnki"][0].extra
    assert len({a.id for a in arts}) == 38


def test_build_indexes_all_38(shared, tmp_path):
    _, report = build_index(tmp_path, [str(shared)])
    assert (report.indexed, report.skipped, report.total) == (38, 0, 38)


@pytest.mark.parametrize("layout", pagegen.LAYOUTS)
def test_generated_pages_parse_back(shared, layout):
    rows = pagegen.load_rows(shared)
    exact: set[tuple[str, int]] = set()
    for paper in ("xinmin", "cnki"):
        for group in pagegen.pages_of(rows[paper]):
            text = pagegen.render([rows[paper][i] for i in group], layout)
            arts = list(parse_page(text, f"{paper}.txt", [], warnings=[]))
            got = {a.title: _got(a) for a in arts}
            for i in group:
                e = _expected(paper, i, rows[paper][i], False)
                if got.get(e["title"]) == e:
                    exact.add((paper, i))
    everything = {(p, i) for p in rows for i in range(len(rows[p]))}
    assert everything - exact == KNOWN_MISSES
