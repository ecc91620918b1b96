"""Without the corpus, corpus tests skip on a developer's machine and fail under CI."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import CORPUS_ENV, ROOT, require_corpus


@pytest.fixture
def missing(tmp_path, monkeypatch):
    path = tmp_path / "nowhere" / "news.jsonl"
    monkeypatch.setenv(CORPUS_ENV, str(path))
    return path


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_missing_corpus_fails_under_ci(missing, monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception) as info:
        require_corpus()
    assert str(missing) in str(info.value) and "CI" in str(info.value)


@pytest.mark.parametrize("ci", [None, "", "false", "0"])
def test_missing_corpus_skips_elsewhere(missing, monkeypatch, ci):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception) as info:
        require_corpus()
    assert str(missing) in str(info.value) and CORPUS_ENV in str(info.value)


@pytest.mark.parametrize("ci", [None, "true"])
def test_present_corpus_is_used(tmp_path, monkeypatch, ci):
    path = tmp_path / "news.jsonl"
    path.write_text('{"id": "a", "title": "标题"}\n', encoding="utf-8")
    monkeypatch.setenv(CORPUS_ENV, str(path))
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    assert require_corpus() == path


@pytest.mark.slow  # a pytest subprocess: about 4 s
def test_a_ci_run_without_the_corpus_exits_non_zero(tmp_path):
    """The whole run fails (not only the call): pytest's exit status is what CI looks at."""
    env = {**os.environ, "CI": "true", CORPUS_ENV: str(tmp_path / "missing.jsonl")}
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/test_sources.py::test_the_shared_corpus_reads_cleanly"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 failed" in proc.stdout and "CI is set" in proc.stdout
