"""Benchmark: decode + normalize throughput (pages/s) on seed-based pages and the real corpus.

Usage::

    python3 bench/bench_normalize.py            # seed pages (+ corpus when present)
    python3 bench/bench_normalize.py --repeat 9 --shared /path/to/shared

Seed pages are the 17 page cases of the study (§1.7: the seed text in a minimal template, in
UTF-8 / GB2312 / GBK / Big5, with right, wrong or no declarations) plus the real mirror page
(Traditional with pinyin annotations) encoded as GBK. "normalize" is the per-page work after
decoding: visible text (a crude tag strip; extraction is not measured here), ``clean_text`` per
line, the pinyin gate and strip, script detection and, for Traditional pages, OpenCC conversion.
Figures are medians over ``--repeat`` runs, single process.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from campusnews.exceptions import DecodeError  # noqa: E402
from campusnews.normalize import (  # noqa: E402
    clean_text,
    decode_page,
    detect_script,
    pinyin_decision,
    strip_pinyin,
    to_simplified,
)

SEED = "seeds/000_1b0bd5df2f276862.txt"
GBK_ONLY_NAMES = "朱镕基、陶喆、王堃、李玥、张祎、刘珺"
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.IGNORECASE | re.DOTALL)
# A run of tags (and the whitespace between them): one line break in the visible text.
_TAGS = re.compile(r"(?:<[^>]+>\s*)+")
_CORPUS_SUFFIXES = frozenset({".htm", ".html", ".shtml"})


def page(text: str, meta: str | None) -> str:
    """The minimal page template of the study (§5.5)."""
    head = f'<meta charset="{meta}">' if meta else ""
    return (
        "<!DOCTYPE html><html><head>" + head + "<title>" + text[:30] + "</title>"
        '<link rel="stylesheet" href="/css/main.css"><script src="/js/jquery.min.js"></script>'
        '</head><body><div class="nav"><a href="/">HOME</a></div><div class="content"><p>'
        + text
        + "</p></div></body></html>"
    )


def shared_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    env = os.environ.get("CAMPUSNEWS_SHARED")
    return Path(env) if env else (REPO / ".." / "shared").resolve()


def _keep(text: str, *codecs: str) -> str:
    out = []
    for ch in text:
        try:
            for codec in codecs:
                ch.encode(codec)
        except UnicodeEncodeError:
            continue
        if ch != "\ufffd":
            out.append(ch)
    return "".join(out)


def seed_pages(seed: str) -> list[tuple[str, bytes, str | None]]:
    """``(case, body, content_type)`` for the 17 page cases and the raw mirror page."""
    stripped = strip_pinyin(seed, pinyin_decision(seed))[0]
    simp = _keep(to_simplified(stripped), "gb2312")
    trad = _keep(stripped, "big5", "gbk")
    names = simp[: len(simp) // 2] + GBK_ONLY_NAMES + simp[len(simp) // 2 :]
    cases = [
        ("utf8 meta=utf-8", simp, "utf-8", "utf-8", None),
        ("utf8 no-decl", simp, "utf-8", None, None),
        ("utf8+BOM no-decl", simp, "utf-8-sig", None, None),
        ("utf8+BOM meta=gb2312", simp, "utf-8-sig", "gb2312", None),
        ("gb2312 meta=gb2312", simp, "gb2312", "gb2312", None),
        ("gbk-only meta=gb2312", names, "gb18030", "gb2312", None),
        ("gbk trad meta=gbk", trad, "gbk", "gbk", None),
        ("gb2312 no-decl", simp, "gb2312", None, None),
        ("gbk trad no-decl", trad, "gbk", None, None),
        ("big5 meta=big5", trad, "big5", "big5", None),
        ("big5 no-decl", trad, "big5", None, None),
        ("gbk body, meta=utf-8 (wrong)", simp, "gb18030", "utf-8", None),
        ("utf8 body, meta=gb2312 (wrong)", simp, "utf-8", "gb2312", None),
        ("big5 body, meta=gb2312 (wrong)", trad, "big5", "gb2312", None),
        ("gbk body, header iso-8859-1", simp, "gb18030", None, "text/html; charset=ISO-8859-1"),
        ("utf8 body, header gbk, meta utf-8", simp, "utf-8", "utf-8", "text/html; charset=GBK"),
        ("gbk body, header utf-8 (wrong)", simp, "gb18030", None, "text/html; charset=utf-8"),
    ]
    pages = [(name, page(text, meta).encode(codec), ct) for name, text, codec, meta, ct in cases]
    mirror = page(_keep(seed, "gbk"), "gbk").encode("gbk")
    pages.append(("mirror page (pinyin, gbk)", mirror, None))
    return pages


def normalize(html: str) -> tuple[str, int]:
    """The per-page normalization after decoding; returns (text, annotations removed)."""
    visible = _TAGS.sub("\n", _SCRIPT_OR_STYLE.sub(" ", html))
    lines = [line for line in (clean_text(raw) for raw in visible.splitlines()) if line]
    text = "\n".join(lines)
    decision = pinyin_decision(text)
    text, stats = strip_pinyin(text, decision)
    if detect_script(text) == "hant":
        text = to_simplified(text)
    return text, stats.removed


# How repeated timings are summarised: the median, or the best run (--best, for a busy machine).
_SUMMARY: dict[str, Callable[[list[float]], float]] = {"median": statistics.median, "best": min}
_summary = "median"


def _median_seconds(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return _SUMMARY[_summary](times)


def bench_seed(shared: Path, repeat: int) -> None:
    seed_path = shared / SEED
    if not seed_path.is_file():
        print(f"seed not found at {seed_path}: seed benchmark skipped")
        return
    pages = seed_pages(seed_path.read_text(encoding="utf-8"))
    for body, ct in ((b, c) for _, b, c in pages):  # warm up tables, converters, detector
        normalize(decode_page(body, ct)[0])
    print(f"Seed pages ({len(pages)}), {_summary} of {repeat} runs, per page:")
    print(
        f"{'case':36} {'KB':>5} {'encoding':>10} {'source':>10} {'decode ms':>10} {'+norm ms':>9}"
    )
    total_decode = total_full = 0.0
    for name, body, ct in pages:
        _, info = decode_page(body, ct)
        decode_s = _median_seconds(lambda b=body, c=ct: decode_page(b, c), repeat)
        full_s = _median_seconds(lambda b=body, c=ct: normalize(decode_page(b, c)[0]), repeat)
        total_decode += decode_s
        total_full += full_s
        print(
            f"{name:36} {len(body) / 1024:5.1f} {info.encoding:>10} {info.source:>10} "
            f"{decode_s * 1000:10.2f} {full_s * 1000:9.2f}"
        )
    print(
        f"seed pages: decode {len(pages) / total_decode:,.0f} pages/s, "
        f"decode+normalize {len(pages) / total_full:,.0f} pages/s"
    )
    _, removed = normalize(decode_page(pages[-1][1])[0])
    print(f"mirror page: {removed} pinyin annotations removed")


def bench_corpus(shared: Path, repeat: int) -> None:
    roots = [shared / "corpus", shared / "sites"]
    files = sorted(
        p
        for root in roots
        if root.is_dir()
        for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() in _CORPUS_SUFFIXES
    )
    if not files:
        print("no corpus pages found: corpus benchmark skipped")
        return
    bodies = [p.read_bytes() for p in files]
    failures = 0
    sources: dict[str, int] = {}
    texts = []
    for body in bodies:
        try:
            text, info = decode_page(body)
        except DecodeError:
            failures += 1
            continue
        texts.append(text)
        key = f"{info.encoding}/{info.source}"
        sources[key] = sources.get(key, 0) + 1

    def decode_all() -> None:
        for body in bodies:
            with contextlib.suppress(DecodeError):
                decode_page(body)

    def normalize_all() -> None:
        for text in texts:
            normalize(text)

    runs = max(1, repeat // 3)
    decode_s = _median_seconds(decode_all, runs)
    norm_s = _median_seconds(normalize_all, runs)
    megabytes = sum(map(len, bodies)) / 1e6
    print(
        f"\nCorpus: {len(bodies)} pages, {megabytes:.1f} MB "
        f"({', '.join(str(r) for r in roots if r.is_dir())}), {_summary} of {runs} runs"
    )
    print(
        f"  decode:      {len(bodies) / decode_s:8,.0f} pages/s  {megabytes / decode_s:6.1f} MB/s"
    )
    print(f"  normalize:   {len(texts) / norm_s:8,.0f} pages/s (after decode)")
    print(f"  both:        {len(bodies) / (decode_s + norm_s):8,.0f} pages/s")
    print(f"  DecodeError: {failures}; encoding/source: {dict(sorted(sources.items()))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", help="the shared folder (default: ../shared)")
    parser.add_argument("--repeat", type=int, default=7, help="runs per measurement")
    parser.add_argument("--best", action="store_true", help="report the best run, not the median")
    args = parser.parse_args()
    global _summary
    _summary = "best" if args.best else "median"
    shared = shared_dir(args.shared)
    import chardet

    print(f"python {sys.version.split()[0]}, chardet {chardet.__version__}, shared={shared}")
    bench_seed(shared, args.repeat)
    bench_corpus(shared, args.repeat)


if __name__ == "__main__":
    main()
