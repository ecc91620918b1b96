"""CSV exports: column names, encodings, and hostile files."""

from __future__ import annotations

import datetime as dt

import pytest

from index.articles import Problem
from index.sources import read_sources


def read(path):
    problems: list[Problem] = []
    arts = list(read_sources([str(path)], problems))
    return arts, problems


def test_chinese_columns_authors_and_bylines(tmp_path):
    src = tmp_path / "export.csv"
    src.write_text(
        "标题,引题,副题,作者,正文,日期,版次,来源,关键词,稿件状态\n"
        "公园新添健身器材,全民健身,二十套器材投入使用,李明、王芳,"
        "\"    本报讯（记者 赵强）公园里新装了二十套健身器材。    市民纷纷前来体验。\","
        "2024年3月5日,第3版:城市,,健身;公园,已签发\n"
        "无作者的稿件,,,NA,\"第一段。\n第二段。本报记者  钱多\",2024-03-05,3,新华社,,\n",
        encoding="utf-8")
    arts, problems = read(src)
    assert problems == []
    a, b = arts
    assert (a.kicker, a.title, a.subtitle, a.authors, a.author) == (
        "全民健身", "公园新添健身器材", "二十套器材投入使用", ["李明", "王芳"], "李明、王芳")
    assert a.body == "公园里新装了二十套健身器材。\n市民纷纷前来体验。"  # the column won; the byline left
    assert (a.date, a.page, a.page_no, a.section, a.tags) == (dt.date(2024, 3, 5), "第3版:城市", 3, "城市",
                                                            ["健身", "公园"])
    assert a.extra == {"稿件状态": "已签发"} and a.line == 2
    assert (b.authors, b.source, b.body, b.line) == (["钱多"], "新华社", "第一段。\n第二段。", 3)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "big5"])
def test_encodings(tmp_path, encoding):
    text = "Title,Author,Contents,Date\n城市书房开放,陈华;,城市书房今天开放。,2022-04-11\n"
    if encoding == "big5":
        import opencc

        text = opencc.OpenCC("s2t").convert(text)
    (tmp_path / "e.csv").write_bytes(text.encode(encoding))
    (art,), problems = read(tmp_path / "e.csv")
    assert problems == [] and art.title == text.split("\n")[1].split(",")[0] and len(art.authors) == 1


def test_hostile_rows_are_reported_and_the_rest_read(tmp_path):
    src = tmp_path / "bad.csv"
    big = "很" * (10 * 1024 * 1024)
    src.write_text(
        "title,content,date\n"
        "好稿件,\"正文里有\"\"引号\"\"，也有逗号, 和换行。\n第二段。\",2024-01-01\n"
        "太多的格子,正文。,2024-01-01,多余,还有\n"
        "日期不对,正文。,01/02/2024\n"
        ",,\n"
        "只有标题\n"
        f"巨大的格子,{big},2024-01-02\n"
        "最后一篇,正文。,2024-01-03\n",
        encoding="utf-8")
    arts, problems = read(src)
    assert [a.title for a in arts] == ["好稿件", "只有标题", "巨大的格子", "最后一篇"]
    assert arts[0].body == "正文里有\"引号\"，也有逗号, 和换行。\n第二段。"
    assert len(arts[2].body) == len(big)
    assert [str(p) for p in problems] == [
        f"{src}:4: row has 5 cells, the header 3",
        f"{src}:5: date '01/02/2024' is not a date (YYYY-MM-DD)",
    ]


def test_files_without_usable_header_or_bytes(tmp_path):
    (tmp_path / "nohead.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "binary.csv").write_bytes(bytes([0x81, 0x20, 0xff, 0xfe, 0x80]) * 20)
    arts, problems = read(tmp_path)
    assert arts == []
    assert {p.path.rsplit("/", 1)[1]: p.reason.split(" (")[0] for p in problems} == {
        "binary.csv": "cannot decode: not UTF-8, GB18030 or Big5",
        "empty.csv": "empty file",
        "nohead.csv": "no title or content column in the header",
    }


def test_a_cell_over_the_limit_is_a_problem(tmp_path, monkeypatch):
    import index.csvsource as csvsource

    monkeypatch.setattr(csvsource, "MAX_CELL_CHARS", 1000)
    (tmp_path / "c.csv").write_text("title,content\n大,\"" + "字" * 2000 + "\"\n小,正文。\n", encoding="utf-8")
    arts, problems = read(tmp_path / "c.csv")
    assert [a.title for a in arts] == ["小"]
    assert len(problems) == 1 and problems[0].line == 2 and "field larger than field limit" in problems[0].reason
