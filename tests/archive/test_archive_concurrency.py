"""Two processes storing the same articles at once: each article stored exactly once."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from archive import Archive
from archive.migrations import MIGRATIONS
from archive.schema import Article, ArticleUrl, Capture, Payload, SchemaMigration, Version
from tests.archive.archive_factories import HTML, article, capture

N_ARTICLES = 20


def _worker(url: str, start: Any, out: Any) -> None:
    with Archive(url) as arc:
        start.wait(30)
        outcomes = []
        for n in range(1, N_ARTICLES + 1):
            a = article(n)
            cap = arc.record_capture(capture(a.url, HTML.encode("gbk") + str(n).encode()))
            outcomes.append(arc.store_article(a, capture_id=cap.capture_id).outcome)
        out.put(outcomes)


def test_two_processes_store_each_article_once(db_url: str) -> None:
    Archive(db_url).close()  # migrate first, so the race is on the data, not the schema
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(db_url, start, out)) for _ in range(2)]
    for p in procs:
        p.start()
    start.set()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    outcomes = Counter(o for r in results for o in r)
    assert outcomes == {"new": N_ARTICLES, "unchanged": N_ARTICLES}
    with Archive(db_url) as arc, arc.session() as s:
        count = {
            m.__tablename__: s.scalar(select(func.count()).select_from(m))
            for m in (Article, Version, ArticleUrl, Capture, Payload)
        }
        assert arc.integrity_check() == "ok"
    assert count == {
        "articles": N_ARTICLES,
        "versions": N_ARTICLES,
        "article_urls": N_ARTICLES,
        "captures": 2 * N_ARTICLES,
        "payloads": N_ARTICLES,
    }


def test_concurrent_migration_on_blank_database(db_url: str) -> None:
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_open, args=(db_url,)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with Archive(db_url) as arc:
        assert arc.integrity_check() == "ok"
        assert "captures" in arc.tables()
        with arc.session() as s:
            assert s.scalar(select(func.count()).select_from(SchemaMigration)) == len(MIGRATIONS)


def _open(url: str) -> None:
    Archive(url).close()


KILL_SCRIPT = """
import sys
from archive import Archive
from tests.archive.archive_factories import article, capture
with Archive(sys.argv[1]) as arc:
    for n in range(1, 10_000):
        cap = arc.record_capture(capture(article(n).url, b"page %d" % n))
        arc.store_article(article(n), capture_id=cap.capture_id)
        print(n, flush=True)
"""


def test_sigkill_loses_at_most_the_write_in_flight(db_url: str) -> None:
    Archive(db_url).close()
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here.parents[1]), str(here)])}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, db_url], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    acked = 0
    for line in proc.stdout:
        acked = int(line)
        if acked >= 8:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    proc.stdout.close()
    assert acked >= 8
    with Archive(db_url) as arc:
        assert arc.integrity_check() == "ok"
        with arc.session() as s:
            articles = s.scalar(select(func.count()).select_from(Article)) or 0
            captures = s.scalar(select(func.count()).select_from(Capture)) or 0
    # every acknowledged article is there; at most one more write had committed unseen
    assert acked <= articles <= acked + 1
    assert articles <= captures <= articles + 1
