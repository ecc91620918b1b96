"""Reading newspaper pages and JSON Lines: fields, bylines, encodings, problems."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from index.articles import Problem
from index.sources import date_from_filename, parse_byline, read_sources

from .conftest import SEEDS, require_corpus


def read(*paths):
    problems: list[Problem] = []
    arts = list(read_sources([str(p) for p in paths], problems))
    return arts, problems


def test_seed_page_is_four_articles():
    arts, problems = read(SEEDS)
    assert problems == []
    assert [(a.title, a.subtitle, a.author) for a in arts] == [
        ("锚定“过百超千”发展目标 抓紧抓实“六大任务”", "访新郑市委书记马宏伟", "张立"),
        ("推动经济发展 强化科技创新 聚焦“三高地两中心一新城”", "访郑东新区党工委书记、中原科技城党工委书记孙建功", "覃岩峰"),
        ("在全国县域 高质量发展中争先进位", "访巩义市委书记袁聚平", "谢庆"),
        ("以先进制造业为主攻方向 推动经济社会发展量质齐升", "访郑州经开区党工委书记李小虎", "王译博"),
    ]
    assert {a.source for a in arts} == {"正观新闻·郑州晚报"}
    bodies = "\n".join(a.body for a in arts)
    for phrase in ("执行和监督全过程", "打造全市RCEP示范区核心区", "千亿级工程装备制造集群"):
        assert phrase in bodies  # rejoined across column breaks
    assert all("正观新闻" not in a.body for a in arts)  # bylines are not body text
    assert arts[0].body.startswith("“深受鼓舞、倍感振奋。”")
    assert arts[0].line == 3 and arts[1].line == 27


@pytest.mark.parametrize(
    "line, source, author",
    [
        ("正观新闻·郑州晚报记者 张立", "正观新闻·郑州晚报", "张立"),
        ("郑州日报记者 赵六 钱七", "郑州日报", "赵六、钱七"),
        ("记者 张三 通讯员 李四", "", "张三、李四"),
        ("本报记者 王五", "", "王五"),
        ("记者 张三、李四", "", "张三、李四"),
        ("（记者 周八）", "", "周八"),
        ("文/图 记者 孙九", "", "孙九"),
        ("通讯员 吴十", "", "吴十"),
    ],
)
def test_byline_shapes(line, source, author):
    byline = parse_byline(line)
    assert byline is not None and (byline.source, byline.author) == (source, author)


@pytest.mark.parametrize("line", ["记者在现场看到，市民排起了长队。", "郑州", "这是一个很长的句子" * 6])
def test_sentences_are_not_bylines(line):
    assert parse_byline(line) is None


def test_other_page_shapes(tmp_path):
    page = tmp_path / "郑州日报-2023-07-27.txt"
    page.write_text(
        "地铁新线今日通车\n\n"
        "本报讯（记者 刘洋 通讯员 陈晨）郑州地铁新线今日通车，\n\n"
        "沿线居民出行更方便。\n\n"
        "记者 刘洋 通讯员 陈晨\n\n"
        "公园免费开放\n\n——市民点赞\n\n"
        "人民公园即日起免费开放。\n\n"
        "郑州日报记者 王强 李红\n\n"
        "没有署名的短讯\n\n"
        "短讯正文。\n",
        encoding="utf-8")
    arts, problems = read(page)
    assert problems == []
    assert [a.title for a in arts] == ["地铁新线今日通车", "公园免费开放", "没有署名的短讯"]
    first, second, third = arts
    assert first.author == "刘洋、陈晨" and first.body == "郑州地铁新线今日通车，沿线居民出行更方便。"
    assert (second.subtitle, second.source, second.author) == ("市民点赞", "郑州日报", "王强、李红")
    assert third.author == "" and third.body == "短讯正文。"  # text after the last byline is kept
    assert {a.date for a in arts} == {dt.date(2023, 7, 27)}


@pytest.mark.parametrize("name, date", [
    ("2023-07-27.txt", dt.date(2023, 7, 27)),
    ("page_20230727_a.txt", dt.date(2023, 7, 27)),
    ("2023_07_27.txt", dt.date(2023, 7, 27)),
    ("000_e75978c7392952c1.txt", None),
    ("20231340.txt", None),
])
def test_date_from_filename(name, date):
    assert date_from_filename(name) == date


def test_jsonl_fields_ids_and_extra(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text(
        json.dumps({"id": 42, "title": " 标题 ", "body": "第一段\r\n第二段", "date": "2021-08-16",
                    "tags": ["甲", "乙"], "url": "https://example.org", "score": 7, "region": "中原"},
                   ensure_ascii=False) + "\n\n"
        + json.dumps({"title": "无编号", "body": "正文", "source": "郑州日报", "date": None}, ensure_ascii=False)
        + "\n", encoding="utf-8")
    arts, problems = read(src)
    assert problems == []
    a, b = arts
    assert (a.id, a.title, a.body, a.date, a.tags) == ("42", "标题", "第一段\n第二段", dt.date(2021, 8, 16), ["甲", "乙"])
    assert a.extra == {"score": 7, "region": "中原"}
    assert (a.origin, a.line, b.line) == (str(src), 1, 3)
    again, _ = read(src)
    assert b.id and again[1].id == b.id  # derived ids are stable


def test_each_bad_line_is_reported_and_the_rest_kept(tmp_path):
    src = tmp_path / "bad.jsonl"
    lines = [
        '{"id": "1", "title": "好"}',
        "{not json",
        "[1, 2]",
        '{"id": "3", "title": 5}',
        '{"id": "4", "title": "t", "tags": "x"}',
        '{"id": "5", "title": "t", "date": "27/07/2023"}',
        '{"id": "6", "title": "  ", "body": ""}',
        '{"id": "1", "title": "重复"}',
        '{"id": "7", "title": "也好"}',
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    arts, problems = read(src)
    assert [a.id for a in arts] == ["1", "7"]
    assert [str(p) for p in problems] == [
        f"{src}:2: malformed JSON: Expecting property name enclosed in double quotes (column 2)",
        f"{src}:3: expected a JSON object, got list",
        f"{src}:4: title must be a string, not int",
        f"{src}:5: tags must be a list of strings",
        f"{src}:6: date '27/07/2023' is not an ISO date (YYYY-MM-DD)",
        f"{src}:7: article has neither title nor body",
        f"{src}:8: duplicate id '1' (first at {src}:1)",
    ]


def test_file_problems(tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(bytes([0x81, 0x20, 0xff, 0xfe, 0x80]) * 20)
    (tmp_path / "notes.docx").write_bytes(b"ignored in a directory walk")
    arts, problems = read(tmp_path, tmp_path / "missing.jsonl", tmp_path / "notes.docx")
    assert arts == []
    reasons = {Path(p.path).name: p.reason for p in problems}
    assert reasons == {
        "binary.txt": "cannot decode: not UTF-8, GB18030 or Big5",
        "blank.txt": "empty file",
        "empty.jsonl": "empty file",
        "missing.jsonl": "no such file or directory",
        "notes.docx": "unknown file type (expected .txt, .csv or .jsonl)",
    }


PAGE = "郑州举办国际金融论坛\n\n论坛在国际金融中心举行，各方代表参会。\n\n郑州日报记者 张立\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "big5"])
def test_encodings_are_detected(tmp_path, encoding):
    text = PAGE
    if encoding == "big5":
        import opencc

        text = opencc.OpenCC("s2t").convert(PAGE)
    (tmp_path / "page.txt").write_bytes(text.encode(encoding))
    arts, problems = read(tmp_path / "page.txt")
    assert problems == [] and len(arts) == 1
    assert arts[0].title == text.split("\n")[0]
    assert arts[0].author == ("張立" if encoding == "big5" else "张立")  # as printed
    assert arts[0].source == text.split("\n")[4].split()[0][:-2]  # 郑州日报 / 鄭州日報


def test_short_gbk_and_big5_are_not_confused(tmp_path):
    (tmp_path / "gbk.jsonl").write_bytes('{"title": "郑州地铁", "body": "开通"}\n'.encode("gbk"))
    (tmp_path / "big5.jsonl").write_bytes('{"title": "鄭州地鐵", "body": "開通"}\n'.encode("big5"))
    arts, problems = read(tmp_path / "gbk.jsonl", tmp_path / "big5.jsonl")
    assert problems == [] and [a.title for a in arts] == ["郑州地铁", "鄭州地鐵"]


def test_directories_are_walked_recursively(tmp_path):
    (tmp_path / "2023" / "07").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "2023" / "07" / "a.jsonl").write_text('{"id": "a", "title": "甲"}\n', encoding="utf-8")
    (tmp_path / "2023" / "b.txt").write_text("乙标题\n\n乙正文。\n", encoding="utf-8")
    (tmp_path / ".hidden" / "c.jsonl").write_text('{"id": "c", "title": "丙"}\n', encoding="utf-8")
    arts, problems = read(tmp_path)
    assert problems == [] and sorted(a.title for a in arts) == ["乙标题", "甲"]


@pytest.mark.corpus
def test_the_shared_corpus_reads_cleanly():
    path = require_corpus()
    problems: list[Problem] = []
    ids = []
    for art in read_sources([str(path)], problems):
        ids.append(art.id)
        if len(ids) == 500:
            break
    with open(path, encoding="utf-8") as fh:
        expected = [json.loads(next(fh))["id"] for _ in range(500)]
    assert problems == [] and ids == expected


@pytest.mark.parametrize("url, kept", [
    ("https://example.org/a", True), ("http://example.org/a", True), ("javascript:alert(1)", False),
    ("JavaScript:alert(1)", False), ("data:text/html,<script>", False), ("file:///etc/passwd", False),
    ("//example.org/a", False),
])
def test_only_http_urls_are_kept_as_links(tmp_path, url, kept):
    src = tmp_path / "u.jsonl"
    src.write_text(json.dumps({"title": "链接", "url": url}) + "\n", encoding="utf-8")
    (art,), problems = read(src)
    assert art.url == (url if kept else "")
    assert kept or art.extra["unsafe_url"] == url
