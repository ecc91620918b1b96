"""gunicorn, as the README runs it, takes a query of the documented maximum length as a GET."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from search.models import MAX_QUERY_CHARS

from .conftest import ROOT

pytestmark = pytest.mark.slow


def test_a_longest_chinese_query_fits_gunicorns_request_line(news_dir):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, NEWSEARCH_INDEX_DIR=str(news_dir))
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
                               "api:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        q = urllib.parse.quote("郑州" * (MAX_QUERY_CHARS // 2))
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q={q}", timeout=30) as resp:
                    assert resp.status == 200 and len(q) > 8000
                    break
            except urllib.error.HTTPError as exc:
                pytest.fail(f"HTTP {exc.code} for a {len(q)}-byte query string")
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not come up"
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)
