"""Any sequence of well-formed articles, in any layout, parses back to itself
(or the reader says which boundary it could not settle).

A *well-formed* article here: a headline of 10–16 characters with no
punctuation, no number and no gap; an optional ``——`` subtitle (blank-line
layout) ; one to four paragraphs, each one to three sentences ending in
``。``; and a byline naming one or two people — either closing the article
(``本报记者 X``, on its own line or glued to the last paragraph) or opening
its lead (``本报讯（记者 X）``).  That is what every paper prints for a news
story; sub-heads, kickers and unsigned articles are outside the promise
(they are what the reader may flag as uncertain).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from index.articles import Problem
from index.pages import parse_page

WORDS = ["城市", "公园", "道路", "建设", "开放", "服务", "居民", "社区", "交通", "绿地", "学校", "医院",
         "文化", "体育", "农业", "科技", "创新", "发展", "项目", "工程", "环境", "治理", "市场", "活动"]
NAMES = ["张立", "陈晓红", "周毅", "吴思远", "郑凯", "王蕾", "赵文博", "孙婷"]

headline = st.lists(st.sampled_from(WORDS), min_size=5, max_size=8).map("".join)
sentence = st.lists(st.sampled_from(WORDS), min_size=4, max_size=12).map(lambda w: "，".join(
    ["".join(w[: len(w) // 2]), "".join(w[len(w) // 2:])]) + "。")
paragraph = st.lists(sentence, min_size=1, max_size=3).map("".join)
article = st.fixed_dictionaries({
    "title": headline,
    "paragraphs": st.lists(paragraph, min_size=1, max_size=4),
    "names": st.lists(st.sampled_from(NAMES), min_size=1, max_size=2, unique=True),
    "byline": st.sampled_from(["closing", "glued", "lead"]),
})


def render(arts: list[dict], layout: str) -> str:
    out = []
    for a in arts:
        paras = list(a["paragraphs"])
        names = " ".join(a["names"])
        if a["byline"] == "lead":
            paras[0] = f"本报讯（记者 {names}）" + paras[0]
        elif a["byline"] == "glued":
            paras[-1] += f"本报记者  {'  '.join(a['names'])}"
        else:
            paras.append(f"本报记者 {names}")
        if layout == "blank-line":
            out.append("\n\n".join([a["title"]] + paras) + "\n\n")
        elif layout == "compact":
            out.append("\n".join([a["title"]] + paras) + "\n")
        else:
            indent = "    " if layout == "indented" else "\u3000\u3000"
            out.append(a["title"] + "\n" + "".join(indent + p for p in paras) + "\n")
    return "".join(out)


@settings(max_examples=80, deadline=None)
@given(arts=st.lists(article, min_size=1, max_size=5),
       layout=st.sampled_from(["blank-line", "compact", "indented", "indented-fullwidth"]))
def test_well_formed_articles_parse_back_or_are_flagged(arts, layout):
    warnings: list[Problem] = []
    problems: list[Problem] = []
    got = list(parse_page(render(arts, layout), "page.txt", problems, warnings=warnings))
    assert problems == []
    expected = [(a["title"], a["names"], "\n".join(a["paragraphs"])) for a in arts]
    if [(g.title, g.authors, g.body) for g in got] != expected:
        assert warnings, f"misread without a warning: {[(g.title, g.authors) for g in got]}"
