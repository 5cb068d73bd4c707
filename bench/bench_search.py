"""Search and export benchmark on a synthetic archive of campus news (not a test).

Builds an archive of ``--n`` articles (default 100,000) of Simplified Chinese text made from
sentence pools, over several sites, by bulk inserts into the archive tables followed by
``archive.search.reindex``; then times ``archive.search.search`` (first page of 20 with
snippets, newest first, the total counted up to 1,000 or exactly; and sorted by relevance) for
one- to four-character words and a two-word query against a LIKE scan over the same
normalized fields, checks that both return the same articles, and times a JSONL export of
everything in a child process to report its peak memory.

    python bench/bench_search.py --n 10000          # quick check
    python bench/bench_search.py                    # 100,000 articles
    python bench/bench_search.py --db /tmp/b.db     # keep (and reuse) the database
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import Archive
from archive.query import compile_fts, parse_query
from archive.schema import Article, Caption, Credit, Version
from archive.search import FTS_COUNT, driver_rows, reindex, search

SITES = ("sdu", "pku", "zju", "whu", "nju")
UNITS = ("党委宣传部", "学生工作处", "研究生院", "图书馆", "国际合作处", "计算机学院", "医学院")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华鑫"
TIMES = ("近日", "日前", "3月5日上午", "4月12日下午", "本周", "5月20日", "10月8日晚", "12月1日")
SUBJECTS = (
    "学校",
    "我校",
    "计算机学院",
    "医学院",
    "研究生院",
    "校党委",
    "图书馆",
    "学生会",
    "国际合作处",
    "校团委",
    "后勤保障部",
    "继续教育学院",
)
VERBS = ("召开", "举办", "举行", "开展", "组织", "部署", "启动", "参加", "承办", "推进")
OBJECTS = (
    "疫情防控工作会议",
    "党建工作推进会",
    "学术报告会",
    "毕业典礼",
    "新生开学典礼",
    "科研项目申报培训",
    "教学改革研讨会",
    "校友座谈会",
    "实验室安全检查",
    "志愿服务活动",
    "创新创业大赛",
    "国际学术论坛",
    "读书分享会",
    "运动会",
    "招聘会",
    "心理健康讲座",
)
TAILS = (
    "校领导出席会议并讲话",
    "与会人员进行了深入交流",
    "活动吸引了三百余名师生参加",
    "会议强调要进一步提高认识、压实责任",
    "专家对研究生培养提出了建议",
    "毕业生代表发言",
    "图书馆延长开放时间至晚上十点",
    "学生们纷纷表示收获很大",
    "本次活动由党委宣传部主办",
    "疫情期间请师生做好个人防护",
    "实验室负责人介绍了安全管理制度",
    "教学改革取得阶段性成果",
    "校友们回忆了在校学习生活",
    "大会对先进集体和个人进行了表彰",
)


def vocabulary(seed: int) -> tuple[list[str], list[float]]:
    """Words with Zipf-like cumulative weights: pypinyin's 46,000 phrases (idioms and common
    words), shuffled, with the campus words of the pools above spread over ranks 300-20,000."""
    from pypinyin.phrases_dict import phrases_dict

    rng = random.Random(seed)
    words = sorted(w for w in phrases_dict if 2 <= len(w) <= 4)
    rng.shuffle(words)
    campus = sorted({*SUBJECTS, *VERBS, *OBJECTS, *UNITS, "疫情", "防控", "党建", "校友", "讲座"})
    for w in campus:
        words.insert(rng.randint(300, 20000), w)
    cum, total = [], 0.0
    for rank in range(len(words)):
        total += 1.0 / (rank + 10)
        cum.append(total)
    return words, cum


def _words_sentence(rng: random.Random, vocab: tuple[list[str], list[float]]) -> str:
    words = rng.choices(vocab[0], cum_weights=vocab[1], k=rng.randint(6, 14))
    cut = rng.randint(2, len(words) - 2)
    return "".join(words[:cut]) + "，" + "".join(words[cut:]) + "。"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _sentence(rng: random.Random) -> str:
    parts = [rng.choice(TIMES), "，", rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)]
    parts += ["，", rng.choice(TAILS)]
    if rng.random() < 0.4:
        parts += ["，", rng.choice(TAILS)]
    return "".join(parts) + "。"


def build(url: str, n: int, seed: int = 7) -> None:
    """Bulk-insert ``n`` articles (ids 1..n) and build the search index."""
    rng = random.Random(seed)
    vocab = vocabulary(seed)
    arc = Archive(url)
    t0 = time.perf_counter()
    now = datetime(2024, 6, 1, tzinfo=UTC)
    batch = 5000
    with arc.engine.begin() as conn:
        for start in range(1, n + 1, batch):
            arts, vers, caps, creds = [], [], [], []
            for i in range(start, min(n, start + batch - 1) + 1):
                site = SITES[i % len(SITES)]
                day = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
                title = rng.choice(SUBJECTS) + rng.choice(VERBS) + rng.choice(OBJECTS)
                # A templated lead sentence, then paragraphs of Zipf-sampled words (~700 chars).
                paras = [_sentence(rng) + "".join(_words_sentence(rng, vocab) for _ in range(4))]
                paras += [
                    "".join(_words_sentence(rng, vocab) for _ in range(rng.randint(3, 8)))
                    for _ in range(3)
                ]
                body = "\n".join(paras)
                url_i = f"https://news.{site}.edu.cn/info/{i}.htm"
                arts.append(
                    {
                        "id": i,
                        "site": site,
                        "canonical_url": url_i,
                        "first_seen": now,
                        "last_seen": now,
                        "latest_version_id": i,
                        "version_count": 1,
                        "mirror_artifact": False,
                    }
                )
                vers.append(
                    {
                        "id": i,
                        "article_id": i,
                        "seq": 1,
                        "created_at": now,
                        "content_hash": hashlib.sha256(body.encode()).hexdigest(),
                        "title": title,
                        "title_norm": title,
                        "date": day.isoformat(),
                        "day": day,
                        "source": rng.choice(UNITS),
                        "source_norm": None,
                        "body": body,
                        "body_norm": body,
                        "script": "hans",
                        "extractor_version": "bench",
                    }
                )
                vers[-1]["source_norm"] = vers[-1]["source"]
                if rng.random() < 0.6:
                    cap = rng.choice(OBJECTS) + "现场"
                    caps.append({"version_id": i, "seq": 1, "text": cap, "text_norm": cap})
                for seq, role in enumerate(("作者", "摄影", "责任编辑"), 1):
                    who = _name(rng)
                    creds.append(
                        {"version_id": i, "seq": seq, "role": role, "name": who}
                        | {"role_norm": role, "name_norm": who}
                    )
            conn.execute(Article.__table__.insert(), arts)
            conn.execute(Version.__table__.insert(), vers)
            if caps:
                conn.execute(Caption.__table__.insert(), caps)
            conn.execute(Credit.__table__.insert(), creds)
    t1 = time.perf_counter()
    reindex(arc)
    t2 = time.perf_counter()
    arc.close()
    print(f"built {n} articles: insert {t1 - t0:.1f} s, index {t2 - t1:.1f} s")


# Words by length, the two-word queries last: campus words (frequent: the templated lead
# sentence uses them), then words of the Zipf vocabulary at ranks ~1,000, ~5,000 and ~20,000
# (in about 2.5 %, 0.5 % and 0.2 % of articles).
QUERIES = {
    1: ["党", "校", "疫", "鑫", "馆", "鹿", "盘", "笑"],
    2: ["疫情", "学院", "校友", "党建", "讲座", "鹿死", "一盘", "买笑"],
    3: ["图书馆", "实验室", "研究生", "毕业生", "运动会", "鹿死谁", "一盘散", "买笑追"],
    4: [
        "疫情防控",
        "党建工作",
        "科研项目",
        "教学改革",
        "国际学术",
        "鹿死谁手",
        "一盘散沙",
        "买笑追欢",
    ],
    0: ["疫情 防控", "学院 讲座", "校友 座谈", "鹿死 谁手", "一盘 散沙"],
}
_FIELDS_LIKE = (
    "(v.title_norm LIKE {p} OR v.body_norm LIKE {p}"
    " OR EXISTS (SELECT 1 FROM captions c WHERE c.version_id = v.id AND c.text_norm LIKE {p})"
    " OR EXISTS (SELECT 1 FROM credits c WHERE c.version_id = v.id AND c.name_norm LIKE {p}))"
)


def like_scan(arc: Archive, query: str) -> set[int]:
    words = query.split()
    where = " AND ".join(_FIELDS_LIKE.format(p=f":w{i}") for i in range(len(words)))
    sql = "SELECT a.id FROM articles a JOIN versions v ON v.id = a.latest_version_id WHERE " + where
    with arc.engine.connect() as conn:
        return set(
            conn.execute(text(sql), {f"w{i}": f"%{w}%" for i, w in enumerate(words)}).scalars()
        )


_MATCH_PAGE = "SELECT rowid FROM search_fts WHERE search_fts MATCH :q LIMIT 20"


def index_only(arc: Archive, query: str) -> tuple[int, list[int]]:
    """Parse, compile, count and first 20 ids in index order: the index's own cost."""
    match = {"q": compile_fts(parse_query(query)), "lo": 0, "hi": (1 << 63) - 1}
    with arc.engine.connect() as conn:
        total = driver_rows(conn, FTS_COUNT, match)[0][0]
        return total, [r[0] for r in driver_rows(conn, _MATCH_PAGE, match)]


def index_ids(arc: Archive, query: str) -> set[int]:
    page = search(arc, query, limit=10**9)
    return {h.article_id for h in page.hits}


def timed(fn, reps: int, cpu: list[float] | None = None) -> list[float]:  # type: ignore[no-untyped-def]
    """Wall-clock ms of ``reps`` calls; with ``cpu``, the process's CPU ms are appended there
    (on a shared machine the wall clock also counts waiting for a core; the work is
    single-threaded and the database is in the page cache, so CPU time is what an idle
    machine would take)."""
    out = []
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - t) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - c) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
        if len(values) > 1
        else values[0]
    )


def bench_queries(url: str, reps: int, like_reps: int) -> None:
    arc = Archive(url)
    print("page      = archive.search.search() as an interactive client calls it: newest 20 hits")
    print("            with snippets, total counted up to 1,000 (count_limit=1000)")
    print("exact     = the same with the exact total (count_limit=None, what the CLI prints)")
    print("relevance = the same page sorted by bm25 (every match scored), total up to 1,000")
    print("index     = parse + compile + exact FTS count + first 20 ids in index order")
    print("LIKE      = SELECT of every matching id by LIKE over title, body, captions, credits")
    print(
        f"{'len':>3} {'query':<6} {'hits':>6} {'page p50':>8} {'p95':>6} {'cpu':>6}"
        f" {'exact p50':>9} {'rel p50':>8} {'index p50':>9} {'LIKE p50':>8} {'x page':>7}"
        f" {'x exact':>7} {'recall':>6} {'prec':>5}"
    )
    summary: dict[int, list[dict[str, float]]] = {}
    for length, words in QUERIES.items():
        for q in words:
            search(arc, q)  # warm the page cache
            page_cpu: list[float] = []
            page = timed(lambda q=q: search(arc, q, count_limit=1000), reps, page_cpu)
            exact = timed(lambda q=q: search(arc, q), reps)
            rel = timed(lambda q=q: search(arc, q, sort="relevance", count_limit=1000), reps)
            raw = timed(lambda q=q: index_only(arc, q), reps)
            slow = timed(lambda q=q: like_scan(arc, q), like_reps)
            truth, got = like_scan(arc, q), index_ids(arc, q)
            row = {
                "page": p(page, 50),
                "page_cpu": p(page_cpu, 50),
                "exact": p(exact, 50),
                "rel": p(rel, 50),
                "index": p(raw, 50),
                "like": p(slow, 50),
                "recall": len(truth & got) / len(truth) if truth else 1.0,
                "precision": len(truth & got) / len(got) if got else 1.0,
            }
            summary.setdefault(length, []).append(row)
            label = "2w" if length == 0 else str(length)
            print(
                f"{label:>3} {q:<6} {len(truth):>6} {row['page']:>8.3f} {p(page, 95):>6.2f}"
                f" {row['page_cpu']:>6.3f}"
                f" {row['exact']:>9.3f} {row['rel']:>8.2f} {row['index']:>9.3f}"
                f" {row['like']:>8.1f} {row['like'] / row['page']:>6.0f}x"
                f" {row['like'] / row['exact']:>6.0f}x"
                f" {row['recall']:>6.3f} {row['precision']:>5.3f}"
            )
    print("summary (median over the words of each length; ratios = LIKE p50 / p50):")
    for length, rows in summary.items():
        label = "2 words" if length == 0 else f"{length} char"

        def med(key: str, rows: list[dict[str, float]] = rows) -> float:
            return statistics.median(r[key] for r in rows)

        ratio = statistics.median(r["like"] / r["page"] for r in rows)
        print(
            f"  {label:>7}: page {med('page'):.3f} ms (CPU {med('page_cpu'):.3f} ms;"
            f" {ratio:.0f}x LIKE {med('like'):.0f} ms),"
            f" exact total {med('exact'):.2f} ms, relevance {med('rel'):.2f} ms,"
            f" index {med('index'):.3f} ms, recall {min(r['recall'] for r in rows):.3f},"
            f" precision {min(r['precision'] for r in rows):.3f}"
        )
    arc.close()


def export_child(url: str, out: str, site: str | None) -> None:
    from archive.export import export_rows

    arc = Archive(url)
    t = time.perf_counter()
    with open(out, "w", encoding="utf-8", newline="") as f:
        n = export_rows(arc, "jsonl", f, site=site) if site else export_rows(arc, "jsonl", f)
    secs = time.perf_counter() - t
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent across exec.
    status = Path("/proc/self/status").read_text()
    hwm = [line for line in status.splitlines() if line.startswith("VmHWM:")]
    rss_mb = int(hwm[0].split()[1]) / 1024 if hwm else float("nan")
    print(f"{n} {secs:.2f} {rss_mb:.0f} {Path(out).stat().st_size / 1e6:.0f}")


def bench_export(url: str, tmp: Path) -> None:
    for site in ("sdu", None):
        cmd = [sys.executable, __file__, "--export-child", str(tmp / "out.jsonl"), "--url", url]
        if site:
            cmd += ["--site", site]
        res = subprocess.run(cmd, capture_output=True, text=True, check=True)
        n, secs, rss, size = res.stdout.split()
        print(
            f"export JSONL {'site ' + site if site else 'everything'}: {n} articles in {secs} s, "
            f"{size} MB written, peak RSS {rss} MB"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="articles to generate")
    ap.add_argument("--db", help="SQLite file to build or reuse (default: a temp file)")
    ap.add_argument("--reps", type=int, default=50, help="timed runs per query")
    ap.add_argument("--like-reps", type=int, default=3, help="timed runs per LIKE scan")
    ap.add_argument("--skip-export", action="store_true", help="time the queries only")
    ap.add_argument("--export-child", help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    ap.add_argument("--site", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.export_child:
        export_child(args.url, args.export_child, args.site)
        return
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        db = Path(args.db) if args.db else tmp / "bench.db"
        url = f"sqlite:///{db}"
        if not db.exists():
            build(url, args.n)
        print(f"database {db}: {db.stat().st_size / 1e6:.0f} MB")
        bench_queries(url, args.reps, args.like_reps)
        if not args.skip_export:
            bench_export(url, tmp)


if __name__ == "__main__":
    main()
