"""Crawl throughput and memory: campusnews against a bare Scrapy crawl of the same pages.

Serves the generated site of ``bench/sitegen.py`` (``--articles`` articles, in its own process
so the server does not share the crawler's CPU) on 127.0.0.1 and crawls it, each variant in a
fresh process and a fresh archive:

* ``bare``   a Scrapy spider that only follows the same listing and article links (the ceiling);
* ``sqlite`` ``campusnews crawl`` (extraction, normalization, archive) into a SQLite file;
* ``pg``     the same into a fresh PostgreSQL database;
* ``redis``  two processes on one scrapy-redis frontier into PostgreSQL: the seeding
  ``crawl --redis`` and one ``worker``.

``--writer thread|process|both`` runs the campusnews variants with the archive writes on the
writer thread or in a writer process (``CAMPUSNEWS_WRITE_PROCESS``; ``both``: each variant
twice, back to back, labelled ``/thread`` and ``/process``); the default is the setting's.

Throughput is pages (listing + article responses) over the time from the first to the last
response (start-up and the worker's idle wait excluded, alike for all). Peak memory is each
process's maximum RSS; a crawl's writer process is shown after it as ``+wN``. ``--small N``
also crawls an N-article site with the ``sqlite`` variant to show whether memory grows with the
site. ``--profile`` writes a cProfile of the ``sqlite``
crawl's reactor thread; archive writes run on the writer thread, which cProfile does not see:
for both threads sample the child with ``py-spy record --threads --gil``.

    python bench/bench_crawl.py --articles 20000
    python bench/bench_crawl.py --articles 2000 --variants bare,sqlite --small 0
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PG_ADMIN = os.environ.get(
    "CAMPUSNEWS_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS = os.environ.get("CAMPUSNEWS_BENCH_REDIS", "redis://127.0.0.1:6379/15")
VARIANTS = ("bare", "sqlite", "pg", "redis")
CONCURRENCY = 16
WORKER_IDLE = 5.0


# -- children (one crawl each, in its own process) ------------------------------------------


def _peak_rss_mb() -> float:
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent across exec.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_bare(base: str) -> dict[str, Any]:
    """The ceiling: fetch the same listing and article pages, parse only the links."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from bench.sitegen import COLUMNS, column_path

    seen = {"pages": 0, "first": None, "last": None}

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self) -> Any:
            for c in range(COLUMNS):
                yield scrapy.Request(base + column_path(c), callback=self.parse_listing)

        def _tick(self) -> None:
            now = time.time()
            seen["pages"] += 1
            seen["first"] = seen["first"] or now
            seen["last"] = now

        def parse_listing(self, response: Any) -> Any:
            self._tick()
            for href in response.css("ul.newsList li > a::attr(href)").getall():
                yield response.follow(href, callback=self.parse_article)
            for href in response.css("span.p_next a::attr(href)").getall():
                yield response.follow(href, callback=self.parse_listing)

        def parse_article(self, response: Any) -> None:
            self._tick()

    process = CrawlerProcess(
        {
            "CONCURRENT_REQUESTS": CONCURRENCY,
            "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_ITEMS": 4,  # as campusnews sets it (campusnews/settings.py)
            "ROBOTSTXT_OBEY": False,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "DEPTH_PRIORITY": 1,
            "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
            "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
            "LOG_LEVEL": "WARNING",
        }
    )
    process.crawl(Bare)
    process.start()
    return {"pages": seen["pages"], "first": seen["first"], "last": seen["last"]}


def child_campusnews(base: str, db: str, redis: str | None, worker: bool,
                     writer: str = "") -> dict[str, Any]:  # fmt: skip
    """One ``campusnews crawl`` (or ``worker``) of the generated site."""
    from bench.sitegen import SITE_KEY
    from campusnews.runner import CrawlSpec, run_crawls

    settings: dict[str, Any] = {"LOG_LEVEL": "WARNING"}
    if writer:
        settings["CAMPUSNEWS_WRITE_PROCESS"] = writer == "process"
    if worker:
        from campusnews.distributed import run_worker

        result = run_worker(SITE_KEY, redis or "", db, idle_timeout=WORKER_IDLE, base_url=base,
                            **settings)  # fmt: skip
    else:
        (result,) = run_crawls(
            [CrawlSpec(site=SITE_KEY, base_url=base)], db, redis_url=redis, **settings
        )
    return {"pages": int(result.stats.get("campusnews/pages", 0)), "status": result.status,
            "child_rss_mb": result.stats.get("campusnews/writer_rss_mb", 0.0)}  # fmt: skip


def child_main(args: argparse.Namespace) -> int:
    started = time.time()
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        out = prof.runcall(child_campusnews, args.base, args.db, args.redis, False, args.writer)
        stats = pstats.Stats(prof, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
    elif args.child == "bare":
        out = child_bare(args.base)
    else:
        out = child_campusnews(args.base, args.db, args.redis, args.child == "worker",
                               args.writer)  # fmt: skip
    out.update(rss_mb=round(_peak_rss_mb(), 1), wall=time.time() - started)
    print("RESULT " + json.dumps(out), flush=True)
    return 0


# -- orchestration ----------------------------------------------------------------------------


class Server:
    """The generated site in a subprocess."""

    def __init__(self, articles: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "bench" / "sitegen.py"), "--articles", str(articles)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.base = self.proc.stdout.readline().strip()
        if not self.base.startswith("http://"):
            raise RuntimeError("site generator did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def _env(profiles: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(CAMPUSNEWS_PROFILES=str(profiles), CAMPUSNEWS_PROGRESS_INTERVAL="0",
               PYTHONPATH=str(REPO))  # fmt: skip
    return env


def _spawn(kind: str, base: str, env: dict[str, str], db: str = "", redis: str = "",
           profile: bool = False, writer: str = "") -> subprocess.Popen[str]:  # fmt: skip
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--base", base]
    if writer:
        cmd += ["--writer", writer]
    if db:
        cmd += ["--db", db]
    if redis:
        cmd += ["--redis", redis]
    if profile:
        cmd += ["--profile"]
    stderr = open(Path(tempfile.gettempdir()) / f"bench_crawl_{kind}.log", "w")  # noqa: SIM115
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)


def _result(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = proc.communicate()
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(f"child failed (exit {proc.returncode}); see bench_crawl_*.log in /tmp")


def _archive_window(db: str) -> tuple[int, float, float]:
    """Captures in the archive and the first and last fetch time (epoch seconds)."""
    from sqlalchemy import func, select

    from archive import Archive
    from archive.schema import Capture

    with Archive(db, create=False) as arc, arc.engine.connect() as conn:
        n, first, last = conn.execute(
            select(func.count(), func.min(Capture.fetched_at), func.max(Capture.fetched_at))
        ).one()
    from archive.schema import UTCDateTime

    # min/max bypass the column type on SQLite: coerce whatever comes back to aware datetimes.
    conv = UTCDateTime().process_result_value
    first, last = (conv(_as_dt(v), None) for v in (first, last))  # type: ignore[arg-type]
    return int(n), first.timestamp(), last.timestamp()


def _as_dt(value: Any) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(value) if isinstance(value, str) else value


class PgDatabases:
    """Fresh PostgreSQL databases for the run, dropped at the end."""

    def __init__(self) -> None:
        from sqlalchemy import create_engine

        self.admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        self.names: list[str] = []

    def new(self) -> str:
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        name = f"cn_bench_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            for name in self.names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def run_variant(variant: str, base: str, env: dict[str, str], tmp: Path, pg: PgDatabases | None,
                profile: bool = False, writer: str = "") -> dict[str, Any]:  # fmt: skip
    if variant == "bare":
        r = _result(_spawn("bare", base, env))
        return {"pages": r["pages"], "seconds": r["last"] - r["first"], "rss": [r["rss_mb"]]}
    if variant == "sqlite":
        db = f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:6]}.db'}"
        results = [_result(_spawn("crawl", base, env, db=db, profile=profile, writer=writer))]
    elif variant == "pg":
        assert pg is not None
        db = pg.new()
        results = [_result(_spawn("crawl", base, env, db=db, writer=writer))]
    else:
        assert pg is not None
        from bench.sitegen import SITE_KEY
        from campusnews.distributed import clear

        db = pg.new()
        from archive import Archive

        Archive(db).close()  # migrate once, before two processes race to
        clear(REDIS, SITE_KEY)
        seeder = _spawn("crawl", base, env, db=db, redis=REDIS, writer=writer)
        time.sleep(1.0)
        worker = _spawn("worker", base, env, db=db, redis=REDIS, writer=writer)
        results = [_result(seeder), _result(worker)]
        clear(REDIS, SITE_KEY)
    n, first, last = _archive_window(db)
    return {"pages": n, "seconds": last - first, "rss": [r["rss_mb"] for r in results],
            "child_rss": [r.get("child_rss_mb", 0.0) for r in results],
            "split": [r["pages"] for r in results]}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--articles", type=int, default=20_000, help="articles of the generated site (20000)"
    )
    parser.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help=f"comma-separated, in order, from {','.join(VARIANTS)} (all)",
    )
    parser.add_argument(
        "--small",
        type=int,
        default=5_000,
        help="also crawl a site this size (sqlite) to compare memory; 0: skip",
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the sqlite crawl (reactor thread only)"
    )
    parser.add_argument(
        "--writer",
        choices=("thread", "process", "both"),
        help="archive writes on the writer thread, in a writer process, or both back to back "
        "(default: the CAMPUSNEWS_WRITE_PROCESS default)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--redis", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args)

    from bench.sitegen import SITE_KEY, profile_toml

    variants = [v for v in args.variants.split(",") if v]
    tmp = Path(tempfile.mkdtemp(prefix="bench_crawl_"))
    (tmp / f"{SITE_KEY}.toml").write_text(profile_toml(CONCURRENCY), encoding="utf-8")
    env = _env(tmp)
    os.environ["CAMPUSNEWS_PROFILES"] = str(tmp)
    pg = PgDatabases() if {"pg", "redis"} & set(variants) else None
    rows: list[tuple[str, int, dict[str, Any]]] = []
    try:
        server = Server(args.articles)
        try:
            for v in variants:
                writers = [args.writer or ""]
                if v != "bare" and args.writer == "both":
                    writers = ["thread", "process"]
                for w in writers:
                    label = f"{v}/{w}" if args.writer == "both" and v != "bare" else v
                    print(f"… {label} ({args.articles} articles)", file=sys.stderr, flush=True)
                    rows.append((label, args.articles, run_variant(v, server.base, env, tmp, pg,
                                                                   args.profile, w)))  # fmt: skip
        finally:
            server.stop()
        if args.small:
            server = Server(args.small)
            try:
                print(f"… sqlite ({args.small} articles)", file=sys.stderr, flush=True)
                w = "" if args.writer == "both" else args.writer or ""
                rows.append(("sqlite", args.small, run_variant("sqlite", server.base, env, tmp,
                                                               pg, writer=w)))  # fmt: skip
            finally:
                server.stop()
    finally:
        if pg is not None:
            pg.drop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    _print(rows)
    return 0


def _print(rows: list[tuple[str, int, dict[str, Any]]]) -> None:
    bare = next((r for v, _, r in rows if v == "bare"), None)
    ceiling = bare["pages"] / bare["seconds"] if bare and bare["seconds"] > 0 else None
    print(f"{'variant':<15}{'articles':>9}{'pages':>8}{'seconds':>9}{'pages/s':>9}{'× bare':>8}"
          f"  peak RSS MB (per process)")  # fmt: skip
    for v, n, r in rows:
        rate = r["pages"] / r["seconds"] if r["seconds"] > 0 else 0.0
        ratio = f"{rate / ceiling:.2f}" if ceiling else "-"
        rss = " + ".join(
            f"{x:.0f}" + (f"+w{c:.0f}" if c else "")
            for x, c in zip(r["rss"], r.get("child_rss") or [0.0] * len(r["rss"]), strict=True)
        )
        per_process = r.get("split") or []
        split = (
            f"  (pages per process {'/'.join(map(str, per_process))})"
            if len(per_process) > 1
            else ""
        )
        print(
            f"{v:<15}{n:>9}{r['pages']:>8}{r['seconds']:>9.1f}{rate:>9.1f}{ratio:>8}  {rss}{split}"
        )


if __name__ == "__main__":
    sys.exit(main())
