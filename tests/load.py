"""Test helpers: an app served on a loopback port under load from client
threads, and the processes whose command line mentions something."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from werkzeug.serving import make_server


@dataclass
class Load:
    """What the clients saw: every status, and the ``total`` of each 200."""

    statuses: list[int] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)


@contextmanager
def searches_under_load(app: Any, q: str, clients: int = 4, seconds: float = 60) -> Iterator[Load]:
    """Serve ``app`` and have ``clients`` threads send ``GET /api/search?q=``
    until the ``with`` block ends (at most ``seconds``); the app's index is
    closed afterwards."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    load = Load()
    stop = threading.Event()

    def hammer() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        deadline = time.monotonic() + seconds
        while not stop.is_set() and time.monotonic() < deadline:
            conn.request("GET", "/api/search?q=" + quote(q))
            resp = conn.getresponse()
            body = resp.read()
            load.statuses.append(resp.status)
            if resp.status == 200:
                load.totals.append(json.loads(body)["total"])
        conn.close()

    threads = [threading.Thread(target=hammer) for _ in range(clients)]
    try:
        for t in threads:
            t.start()
        time.sleep(0.5)
        yield load
    finally:
        stop.set()
        for t in threads:
            t.join()
        server.shutdown()
        app.extensions["newsearch"].close()


def processes_mentioning(text: str) -> list[int]:
    """Pids of the running processes whose command line contains ``text``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
            if text in cmdline:
                pids.append(int(entry.name))
    return pids
