"""Server-side time of the web view's search page (with its chart) on a large archive (not a test).

Builds (or reuses) the synthetic archive of ``bench/bench_search.py`` and requests
``/?q=WORD`` through Flask's test client: routing, ``archive.search.search`` (the page of 20
with snippets), ``search_month_counts`` (the chart and the exact total, run beside it),
template rendering and the security headers, i.e. everything but the network. Reports p50/p95
per query for the default order (date, newest first) and for relevance, and the median split
between search, counts and the rest (rendering). Each time is
given as wall clock and as the process's CPU time: on a shared, busy machine the wall clock
mostly measures waiting for a CPU, while the CPU time is what an idle machine would take
(the work is single-threaded and the database file is in the page cache).

    python bench/bench_web.py --n 20000              # quick check
    python bench/bench_web.py --db /tmp/b.db         # build once, reuse (default n: 100,000)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_search import QUERIES, build, p

from archive.search import search, search_month_counts
from campusnews.web import create_app
from campusnews.web._state import EXTENSION_KEY

TARGET_MS = 50.0
LENGTHS = (1, 2)


def timed(fn, reps: int) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    """Wall-clock and CPU milliseconds of ``reps`` calls."""
    wall, cpu = [], []
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - t) * 1000)
    return wall, cpu


def bench(url: str, reps: int) -> None:
    app = create_app(url)
    arc = app.extensions[EXTENSION_KEY]
    client = app.test_client()

    def page(q: str, sort: str) -> int:
        resp = client.get("/", query_string={"q": q, "sort": sort} if sort else {"q": q})
        assert resp.status_code == 200, resp.status_code
        return len(resp.data)

    print("times in ms, p50 (p95) of wall clock / CPU; split = CPU p50 of each part")
    print(
        f"{'len':>3} {'query':<6} {'hits':>6} {'default wall':>15} {'cpu':>13}"
        f" {'relevance wall':>15} {'cpu':>13} {'search':>6} {'chart':>6} {'render':>6} {'KB':>5}"
    )
    summary: dict[int, list[tuple[float, float, float, float]]] = {}
    for length in LENGTHS:
        for q in QUERIES[length]:
            size = page(q, "")  # warm the page cache and the site list
            default, default_cpu = timed(lambda q=q: page(q, ""), reps)
            rel, rel_cpu = timed(lambda q=q: page(q, "relevance"), reps)
            _, s_cpu = timed(lambda q=q: search(arc, q, count_limit=0), reps)
            _, c_cpu = timed(lambda q=q: search_month_counts(arc, q), reps)
            total = search_month_counts(arc, q).total
            rest = p(default_cpu, 50) - p(s_cpu, 50) - p(c_cpu, 50)
            summary.setdefault(length, []).append(
                (p(default, 50), p(default_cpu, 50), p(rel, 50), p(rel_cpu, 50))
            )
            print(
                f"{length:>3} {q:<6} {total:>6} {_pp(default):>15} {_pp(default_cpu):>13}"
                f" {_pp(rel):>15} {_pp(rel_cpu):>13} {p(s_cpu, 50):>6.1f}"
                f" {p(c_cpu, 50):>6.1f} {rest:>6.1f} {size / 1024:>5.1f}"
            )
    print(f"summary (median over the words of each length; target p50 < {TARGET_MS:.0f} ms):")
    for length, rows in summary.items():
        med = [statistics.median(r[i] for r in rows) for i in range(4)]
        worst_wall = max(r[0] for r in rows)
        verdict = "ok" if worst_wall < TARGET_MS else "OVER TARGET"
        print(
            f"  {length} char: default (date) p50 {med[0]:.1f} ms wall / {med[1]:.1f} ms CPU,"
            f" relevance p50 {med[2]:.1f} ms wall / {med[3]:.1f} ms CPU;"
            f" default, worst word {worst_wall:.1f} ms wall -> {verdict}"
        )
    arc.close()


def _pp(values: list[float]) -> str:
    return f"{p(values, 50):.1f} ({p(values, 95):.1f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="articles to generate")
    ap.add_argument("--db", help="SQLite file to build or reuse (default: a temp file)")
    ap.add_argument("--reps", type=int, default=30, help="timed requests per query and order")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        db = Path(args.db) if args.db else Path(tmpdir) / "bench.db"
        url = f"sqlite:///{db}"
        if not db.exists():
            t = time.perf_counter()
            build(url, args.n)
            print(f"built {args.n:,} articles in {time.perf_counter() - t:.0f} s")
        print(f"database {db}: {db.stat().st_size / 1e6:.0f} MB")
        bench(url, args.reps)


if __name__ == "__main__":
    main()
