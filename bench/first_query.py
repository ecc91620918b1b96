"""A worker's first searches after it starts: seconds, with and without the warm-up.

    .venv/bin/python bench/first_query.py --index-dir DIR [--query 上]

Starts the app (``create_app``, as a gunicorn worker does) on the live
snapshot of DIR, in a fresh process per case, and times through Flask's
test client: the app's start, then a plain search, a faceted one and the
page's (facets, day histogram, stories).  Twice: with ``WARM_UP`` off (the
first requests read every article's dates, facets and stories) and on
(the requests come after the background warm-up has ended, whose own time
is reported).  The search budget is lifted so a slow first search is
timed rather than refused.

Figures go to stdout, progress to stderr.  See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from common import machine_line, status

ROOT = Path(__file__).resolve().parent.parent


def one_case(index_dir: str, query: str, warm_up: bool) -> dict[str, float]:
    """Runs in the child process: the timings of one fresh app."""
    started = time.perf_counter()
    from api import create_app
    from api.live import WARM_UP_THREAD

    app = create_app({"INDEX_DIR": index_dir, "WARM_UP": warm_up, "TIME_BUDGET": 0})
    out = {"start_s": time.perf_counter() - started}
    thread = app.extensions[WARM_UP_THREAD]
    if thread is not None:
        t = time.perf_counter()
        thread.join()
        out["warm_up_s"] = time.perf_counter() - t
    client = app.test_client()
    q = quote(query)
    for name, path in (("search_s", f"/api/search?q={q}"), ("faceted_s", f"/api/search?q={q}&facets=true"),
                       ("page_s", f"/?q={q}"), ("again_page_s", f"/?q={q}")):
        t = time.perf_counter()
        answer = client.get(path)
        out[name] = time.perf_counter() - t
        if answer.status_code != 200:
            raise SystemExit(f"{path}: HTTP {answer.status_code}")
    app.extensions["newsearch"].close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index-dir", required=True)
    ap.add_argument("--query", default="上", help="the searches' q (default %(default)s: most articles)")
    ap.add_argument("--case", choices=("cold", "warm"), help=argparse.SUPPRESS)  # the child's side
    args = ap.parse_args()
    if args.case:
        print(json.dumps(one_case(args.index_dir, args.query, args.case == "warm")))
        return
    print(f"# first searches of a fresh worker on {args.index_dir} ({machine_line()})")
    for case in ("cold", "warm"):
        status(f"{case} …")
        child = subprocess.run([sys.executable, __file__, "--index-dir", args.index_dir, "--query", args.query,
                                "--case", case], cwd=ROOT, capture_output=True, text=True, check=True)
        row = json.loads(child.stdout.strip().splitlines()[-1])
        label = "WARM_UP on " if case == "warm" else "WARM_UP off"
        warm = f"warm-up {row['warm_up_s']:.2f} s, then " if "warm_up_s" in row else ""
        print(f"{label}: app start {row['start_s']:.2f} s, {warm}search {row['search_s']:.2f} s, "
              f"faceted {row['faceted_s']:.2f} s, page {row['page_s']:.2f} s (again {row['again_page_s']:.2f} s)")


if __name__ == "__main__":
    main()
