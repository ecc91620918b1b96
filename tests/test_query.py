"""Parsing the query language, its repairs and its errors."""

from __future__ import annotations

import datetime as dt

import pytest

from search.grammar import And, DateRange, Leaf, Not, Or, QueryError, parse
from search.models import MAX_QUERY_CHARS, MAX_QUERY_TERMS


@pytest.mark.parametrize(
    "q, expected",
    [
        ("郑州", Leaf("郑州")),
        ("郑州 地铁", And([Leaf("郑州"), Leaf("地铁")])),
        ('"中原科技城"', Leaf("中原科技城", phrase=True)),
        ("“黑灯工厂”", Leaf("黑灯工厂", phrase=True)),
        ("title:郑州", Leaf("郑州", "title")),
        ('title:"市委 书记"', Leaf("市委 书记", "title", True)),
        ("TITLE：郑州", Leaf("郑州", "title")),  # case and full-width colon
        ("author:张立", Leaf("张立", "author")),
        ("BBC：中国经济", Leaf("BBC：中国经济")),  # a headline's speaker, not a field
        ("tag:地铁", Leaf("地铁", "tag")),
        ("郑州 -停运", And([Leaf("郑州"), Not(Leaf("停运"))])),
        ("郑州 NOT 停运", And([Leaf("郑州"), Not(Leaf("停运"))])),
        ("地铁 OR 公交", Or([Leaf("地铁"), Leaf("公交")])),
        # OR binds tighter than the implicit AND
        ("郑州 (地铁 OR 公交) -停运",
         And([Leaf("郑州"), Or([Leaf("地铁"), Leaf("公交")]), Not(Leaf("停运"))])),
        ("郑州 地铁 OR 公交", And([Leaf("郑州"), Or([Leaf("地铁"), Leaf("公交")])])),
        ("-(地铁 OR 公交) 郑州", And([Not(Or([Leaf("地铁"), Leaf("公交")])), Leaf("郑州")])),
        ("date:2023-01-01..2023-06-30", DateRange(dt.date(2023, 1, 1), dt.date(2023, 6, 30))),
        ("date:..2023-06-30 郑州", And([DateRange(None, dt.date(2023, 6, 30)), Leaf("郑州")])),
        ("date:2023-01-01..", DateRange(dt.date(2023, 1, 1), None)),
        # repairs
        ('"中原科技城', Leaf("中原科技城", phrase=True)),  # unclosed quote runs to the end
        ("(地铁 OR 公交", Or([Leaf("地铁"), Leaf("公交")])),  # unclosed parenthesis
        ("地铁) 公交", And([Leaf("地铁"), Leaf("公交")])),  # stray parenthesis
        ("OR 地铁", Leaf("地铁")),  # operator without operand
        ("地铁 OR", Leaf("地铁")),
        ("地铁 OR OR 公交", Or([Leaf("地铁"), Leaf("公交")])),
        ("地铁 ，。", Leaf("地铁")),  # punctuation-only terms are dropped
        ("5-10", Leaf("5-10")),  # a dash inside a word is not NOT
        ("」郑州『", Leaf("郑州")),  # stray closing quotes are skipped
        ("title:」郑州", Leaf("郑州")),
        ("-」", None),
    ],
)
def test_parse(q, expected):
    if expected is None:
        with pytest.raises(QueryError):
            parse(q)
    else:
        assert parse(q) == expected


@pytest.mark.parametrize(
    "q, message",
    [
        ("", "empty query"),
        ("   ", "empty query"),
        ('""', "empty query"),
        ("，。！", "empty query"),
        ("OR", "empty query"),
        ("foo:郑州", "unknown field 'foo:'"),
        ("titel:郑州", "unknown field 'titel:'"),
        ("title: 郑州", "needs a term"),
        ("date:2023-13-01", "not a valid date"),
        ("date:yesterday", "not a date"),
        ("date:2023-06-30..2023-01-01", "ends before it starts"),
        ("郑" * (MAX_QUERY_CHARS + 1), "too long"),
        (" ".join(["词"] * (MAX_QUERY_TERMS + 1)), "too many terms"),
        ("(" * 40 + "郑州", "nested deeper"),
    ],
)
def test_errors_say_what_is_wrong(q, message):
    with pytest.raises(QueryError) as info:
        parse(q)
    assert message in info.value.message
