"""One way to serve a Flask app on a localhost port for Chromium tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server


@contextmanager
def live_server(app: Any, *, close_app: bool = True) -> Iterator[str]:
    """Serve ``app`` (threaded werkzeug) on a free port while the block runs
    and yield its base URL; afterwards stop it and, unless ``close_app`` is
    false (an app a fixture shares), close the app's engine."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        if close_app:
            app.extensions["newsearch"].close()


def tab_to(page: Any, is_focused_js: str, what: str, presses: int = 80) -> None:
    """Press Tab until the JavaScript expression ``is_focused_js`` (about
    ``document.activeElement``) is true; fail, naming ``what``, if it never is."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(is_focused_js):
            return
    raise AssertionError(f"{what} is never reached with Tab")
