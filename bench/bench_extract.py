"""Extraction speed, one core: campusnews (with a profile, and generic) against the anchors.

    python bench/bench_extract.py [--rounds 7] [--extractors NAME,...] [--corpus PATH]
                                  [--baseline CHECKOUT]

Two page sets, timed in one invocation:

* ``corpus`` — the labelled real article pages of ``../shared/corpus`` (skipped when absent);
* ``fixtures`` — every article page of the four fixture sites (``fixtures.server``).

Extractors: ``lxml-parse`` (a bare ``lxml.etree.HTMLParser`` parse of the decoded text: the
ceiling), ``campusnews-profile`` (fixture pages with their demo profile; corpus pages for which
a built-in profile matches the URL; other pages are not in its set), ``campusnews`` (generic,
no profile), and the anchors ``readability``, ``gne`` and ``trafilatura`` (skipped when not
installed). campusnews gets the raw bytes (decoding included, as the spider calls it); the
parse ceiling and the anchors get the text decoded once beforehand.

``--baseline CHECKOUT`` also times the ``campusnews`` of another checkout (e.g. a ``git
worktree`` of the commit before a change) on the same pages, as ``baseline`` and
``baseline-profile``: it runs in a worker process that times itself, one job per round,
interleaved with the others, so a before/after comparison shares the machine's load.

The machine may be shared: rounds are interleaved (every extractor once per round, so load
changes hit all alike), round 0 is an untimed warm-up, and both the best and the median round
are printed, with each rate's ratio to the parse ceiling on the same pages. Rates are given
twice: by wall clock, and by this process's CPU time (``time.process_time``), which does not
count the time the process waits for a core on a loaded machine.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import pickle
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lxml import etree

from bench.evaluate import FACTORIES
from bench.scoring import load_labels, shared_dir
from campusnews.exceptions import CampusNewsError
from campusnews.extract import extract
from campusnews.normalize import decode_page
from campusnews.profiles import Profile, get_profile, profile_for_url

FIXTURE_BASE = "http://127.0.0.1:8000"
DEFAULT_EXTRACTORS = "lxml-parse,campusnews-profile,campusnews,readability,gne,trafilatura"
# Anchor failures on hostile pages are counted as done (they cost what they cost).
TOLERATED = (CampusNewsError, ValueError, TypeError, AttributeError, IndexError)


class Page:
    __slots__ = ("profile", "raw", "text", "url")

    def __init__(self, url: str, raw: bytes, profile: Profile | None) -> None:
        self.url, self.raw, self.profile = url, raw, profile
        self.text = decode_page(raw)[0]


def corpus_pages(corpus: Path) -> list[Page]:
    if not (corpus / "labels.jsonl").exists():
        print(f"corpus not found at {corpus}; corpus set skipped", file=sys.stderr)
        return []
    out = []
    for lab in load_labels(corpus):
        url = lab.get("url") or ""
        out.append(
            Page(url, (corpus / lab["file"]).read_bytes(), profile_for_url(url) if url else None)
        )
    return out


def fixture_pages() -> list[Page]:
    try:
        from fixtures.server import SITE_KEYS, build_sites, expected_articles
    except ImportError as e:
        print(f"fixture sites not importable ({e}); fixture set skipped", file=sys.stderr)
        return []
    sites = build_sites()
    out = []
    for key in SITE_KEYS:
        profile = get_profile(key)
        for exp in expected_articles(key):
            body = sites[key].pages[exp["path"]].body  # type: ignore[union-attr]
            out.append(Page(FIXTURE_BASE + exp["path"], body, profile))
    return out


def _parse(page: Page) -> Any:
    return etree.fromstring(page.text, _PARSER) if page.text.strip() else None


_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)


# The --baseline worker: imports campusnews from the baseline checkout (PYTHONPATH), reads
# its jobs from stdin, then for every "round" line times each job once and answers with one
# line of (job, wall seconds, CPU seconds) triples.
BASELINE_WORKER = """
import contextlib, pickle, sys, time
from campusnews.exceptions import CampusNewsError
from campusnews.extract import extract
from campusnews.profiles import get_profile
TOLERATED = (CampusNewsError, ValueError, TypeError, AttributeError, IndexError)
jobs = pickle.load(sys.stdin.buffer)
profiles = {}
def run(url, raw, key):
    prof = profiles.setdefault(key, get_profile(key)) if key else None
    return extract(url, raw, profile=prof)
for line in sys.stdin:
    out = []
    for name, pages in jobs:
        t0, c0 = time.perf_counter(), time.process_time()
        for url, raw, key in pages:
            with contextlib.suppress(*TOLERATED):
                run(url, raw, key)
        out.append((name, time.perf_counter() - t0, time.process_time() - c0))
    print(repr(out), flush=True)
"""


class Baseline:
    """The ``campusnews`` of another checkout, timed in a worker process (see --baseline)."""

    def __init__(self, checkout: Path, jobs: dict[tuple[str, str], list[Page]]) -> None:
        if not (checkout / "campusnews" / "__init__.py").exists():
            raise SystemExit(f"--baseline {checkout}: no campusnews package there")
        env = {**os.environ, "PYTHONPATH": str(checkout.resolve())}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", BASELINE_WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=checkout,
        )
        self.jobs = jobs
        # (url, bytes, profile key or None): the profile only for the -profile jobs
        work = [
            (
                key,
                [
                    (
                        p.url,
                        p.raw,
                        p.profile.key if p.profile and key[1].endswith("-profile") else None,
                    )
                    for p in pages
                ],
            )
            for key, pages in jobs.items()
        ]
        assert self.proc.stdin is not None
        pickle.dump(work, self.proc.stdin)
        self.proc.stdin.flush()

    def round(self) -> list[tuple[tuple[str, str], float, float]]:
        """Time every job once; ``(job, wall seconds, CPU seconds)`` each."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(b"round\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("--baseline worker failed (see its error above)")
        return ast.literal_eval(line.decode())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def runners(names: list[str]) -> dict[str, tuple[Callable[[Page], Any], Callable[[Page], bool]]]:
    """name -> (run one page, does the page belong to this extractor's set)."""
    out: dict[str, tuple[Callable[[Page], Any], Callable[[Page], bool]]] = {}
    for name in names:
        if name == "lxml-parse":
            out[name] = (_parse, lambda p: True)
        elif name == "campusnews":
            out[name] = (lambda p: extract(p.url, p.raw), lambda p: True)
        elif name == "campusnews-profile":
            out[name] = (
                lambda p: extract(p.url, p.raw, profile=p.profile),
                lambda p: p.profile is not None,
            )
        else:
            try:
                predict = FACTORIES[name]()
            except ImportError as e:
                print(f"{name:<20} skipped: not installed ({e})")
                continue
            except KeyError:
                print(f"{name:<20} skipped: unknown extractor")
                continue
            out[name] = (lambda p, f=predict: f(p.url, p.raw, p.text), lambda p: True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--extractors", default=DEFAULT_EXTRACTORS)
    ap.add_argument("--corpus", type=Path, default=shared_dir() / "corpus")
    ap.add_argument("--sets", default="corpus,fixtures")
    ap.add_argument(
        "--baseline",
        type=Path,
        metavar="CHECKOUT",
        help="also time the campusnews package of this checkout (before/after comparisons)",
    )
    args = ap.parse_args(argv)
    page_sets = {}
    wanted = {s.strip() for s in args.sets.split(",")}
    if "corpus" in wanted:
        page_sets["corpus"] = corpus_pages(args.corpus)
    if "fixtures" in wanted:
        page_sets["fixtures"] = fixture_pages()
    page_sets = {k: v for k, v in page_sets.items() if v}
    if not page_sets:
        print("no pages to time", file=sys.stderr)
        return 0
    run = runners([n.strip() for n in args.extractors.split(",") if n.strip()])
    # (set, extractor) -> the pages it runs on; the parse ceiling is also timed on the profile
    # subset so that every ratio compares the same pages.
    jobs: dict[tuple[str, str], list[Page]] = {}
    for set_name, pages in page_sets.items():
        for name, (_fn, member) in run.items():
            chosen = [p for p in pages if member(p)]
            if chosen:
                jobs[(set_name, name)] = chosen
        if "lxml-parse" in run and "campusnews-profile" in run:
            chosen = [p for p in pages if p.profile is not None]
            if chosen and len(chosen) < len(pages):
                jobs[(set_name, "lxml-parse (profiled pages)")] = chosen
    baseline = None
    if args.baseline:
        base_jobs = {}
        for set_name, pages in page_sets.items():
            base_jobs[(set_name, "baseline")] = pages
            profiled = [p for p in pages if p.profile is not None]
            if profiled:
                base_jobs[(set_name, "baseline-profile")] = profiled
        baseline = Baseline(args.baseline, base_jobs)
        jobs.update(base_jobs)
    for set_name, pages in page_sets.items():
        kb = sum(len(p.raw) for p in pages) / len(pages) / 1000
        n_prof = sum(1 for p in pages if p.profile is not None)
        print(f"set {set_name}: {len(pages)} pages, {kb:.1f} KB average, {n_prof} with a profile")
    print(f"{args.rounds} timed rounds (interleaved) after one warm-up round")
    wall: dict[tuple[str, str], list[float]] = {k: [] for k in jobs}
    cpu: dict[tuple[str, str], list[float]] = {k: [] for k in jobs}
    for r in range(args.rounds + 1):
        if baseline is not None:
            for key, wall_s, cpu_s in baseline.round():
                if r:
                    wall[key].append(len(jobs[key]) / max(1e-9, wall_s))
                    cpu[key].append(len(jobs[key]) / max(1e-9, cpu_s))
        for (set_name, name), pages in jobs.items():
            if name.startswith("baseline"):
                continue
            fn = run[name.split(" ")[0]][0]
            t0, c0 = time.perf_counter(), time.process_time()
            for page in pages:
                with contextlib.suppress(*TOLERATED):
                    fn(page)
            if r:
                wall[(set_name, name)].append(len(pages) / (time.perf_counter() - t0))
                cpu[(set_name, name)].append(len(pages) / max(1e-9, time.process_time() - c0))
    for label, rates in (("wall clock", wall), ("CPU time", cpu)):
        print(f"\npages/s by {label} (parse/x: times slower than the bare parse, median rounds)")
        print(f"{'set':<10}{'extractor':<28}{'pages':>6}{'best':>9}{'median':>9}{'ms/page':>9}"
              f"{'parse/x':>9}")  # fmt: skip
        for key, rs in rates.items():
            set_name, name = key
            best, med = max(rs), statistics.median(rs)
            subset = (set_name, "lxml-parse (profiled pages)")
            ceiling = rates.get(
                subset
                if name in ("campusnews-profile", "baseline-profile") and subset in rates
                else (set_name, "lxml-parse")
            )
            ratio = f"{statistics.median(ceiling) / med:>9.1f}" if ceiling and med else f"{'-':>9}"
            print(
                f"{set_name:<10}{name:<28}{len(jobs[key]):>6}{best:>9.1f}{med:>9.1f}"
                f"{1000 / med:>9.2f}{ratio}"
            )
    if baseline is not None:
        baseline.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
