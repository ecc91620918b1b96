"""`newsearch search` prints article text as written, not as HTML."""

from __future__ import annotations

from click.testing import CliRunner

from api.cli import main


def test_search_prints_plain_text_with_the_match(news_dir):
    result = CliRunner().invoke(main, ["search", "评论", "--index-dir", str(news_dir), "-n", "1"])
    assert result.exit_code == 0, result.output
    # the article literally says <img src=x onerror=alert(1)> and &lt;b&gt;
    assert "<img src=x onerror=alert(1)>" in result.output and "&lt;b&gt;" in result.output
    assert "&amp;" not in result.output and "<mark>" not in result.output


def test_search_prints_did_you_mean(news_dir):
    result = CliRunner().invoke(main, ["search", "郑洲", "--index-dir", str(news_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("0 results") and "did you mean: 郑州 (6)" in result.output
