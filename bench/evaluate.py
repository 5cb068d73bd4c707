"""Score campusnews and anchor extractors on the hand-labelled corpus.

    python bench/evaluate.py [--extractors campusnews,campusnews-profile,trafilatura,gne,...]
                             [--json] [--pages] [--corpus PATH]

Reads ``shared/corpus/labels.jsonl`` and the pages next to it (skips with a message when the
corpus is absent). Prints per-field scores (see ``bench/scoring.py``) per group (campus/other)
and overall, plus pages/second. ``campusnews`` runs without profiles; ``campusnews-profile``
uses the profile whose base_url host matches the page URL (generic when none matches). Anchors
(trafilatura, gne, readability-lxml) get the same decoded text and are skipped when not
installed; they are benchmark-only and never imported by campusnews.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scoring import FIELDS, aggregate, is_campus, load_labels, score_page, shared_dir
from campusnews.exceptions import CampusNewsError
from campusnews.normalize import decode_page

Predict = Callable[[str, bytes, str], dict[str, Any]]


def _campusnews(with_profile: bool) -> Predict:
    from campusnews.extract import extract
    from campusnews.profiles import profile_for_url

    def run(url: str, raw: bytes, text: str) -> dict[str, Any]:
        profile = profile_for_url(url) if (with_profile and url) else None
        return extract(url, raw, profile=profile).to_json()

    return run


def _trafilatura() -> Predict:
    import trafilatura

    def run(url: str, raw: bytes, text: str) -> dict[str, Any]:
        doc = trafilatura.bare_extraction(
            text, url=url or None, with_metadata=True, include_comments=False
        )
        if doc is None:
            return {}
        d = doc if isinstance(doc, dict) else doc.as_dict()
        author = d.get("author")
        return {
            "title": d.get("title"),
            "date": d.get("date"),
            "source": None,
            "body": d.get("text") or "",
            "captions": [],
            "credits": [["作者", a.strip()] for a in (author or "").split(";") if a.strip()],
        }

    return run


def _gne() -> Predict:
    from gne import GeneralNewsExtractor

    ex = GeneralNewsExtractor()

    def run(url: str, raw: bytes, text: str) -> dict[str, Any]:
        r = ex.extract(text)
        author = r.get("author") or ""
        return {
            "title": r.get("title"),
            "date": (r.get("publish_time") or "")[:10] or None,
            "source": None,
            "body": r.get("content") or "",
            "captions": [],
            "credits": [["作者", author]] if author else [],
        }

    return run


def _readability() -> Predict:
    from lxml import html as lhtml
    from readability import Document

    def run(url: str, raw: bytes, text: str) -> dict[str, Any]:
        doc = Document(text)
        summary = doc.summary(html_partial=True)
        tree = lhtml.fromstring(summary) if summary.strip() else None
        body = (
            "\n".join(t.strip() for t in tree.itertext() if t.strip()) if tree is not None else ""
        )
        return {
            "title": doc.short_title(),
            "date": None,
            "source": None,
            "body": body,
            "captions": [],
            "credits": [],
        }

    return run


FACTORIES: dict[str, Callable[[], Predict]] = {
    "campusnews": lambda: _campusnews(False),
    "campusnews-profile": lambda: _campusnews(True),
    "trafilatura": _trafilatura,
    "gne": _gne,
    "readability": _readability,
}


def evaluate(names: list[str], corpus: Path) -> dict[str, Any]:
    labels = load_labels(corpus)
    pages = []
    for lab in labels:
        raw = (corpus / lab["file"]).read_bytes()
        text, _ = decode_page(raw)
        pages.append((lab, raw, text))
    report: dict[str, Any] = {}
    for name in names:
        try:
            predict = FACTORIES[name]()
        except ImportError as e:
            print(f"skip {name}: not installed ({e})", file=sys.stderr)
            continue
        rows, per_page, elapsed = [], [], 0.0
        for lab, raw, text in pages:
            t0 = time.perf_counter()
            try:
                pred = predict(lab.get("url") or "", raw, text)
                err = None
            except (CampusNewsError, ValueError, TypeError, AttributeError, IndexError) as e:
                pred, err = None, f"{type(e).__name__}: {e}"
            elapsed += time.perf_counter() - t0
            sc = score_page(pred, lab)
            rows.append((is_campus(lab), sc))
            per_page.append({"file": lab["file"], "scores": sc, "error": err, "pred": pred})
        report[name] = {
            "campus": aggregate([s for c, s in rows if c]),
            "other": aggregate([s for c, s in rows if not c]),
            "overall": aggregate([s for _, s in rows]),
            "pages_per_second": len(pages) / elapsed if elapsed else 0.0,
            "pages": per_page,
        }
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--extractors", default="campusnews,campusnews-profile,trafilatura,gne,readability"
    )
    ap.add_argument("--json", action="store_true", help="print the full report as JSON")
    ap.add_argument("--pages", action="store_true", help="list per-page losses for each extractor")
    ap.add_argument("--corpus", type=Path, default=shared_dir() / "corpus")
    args = ap.parse_args(argv)
    if not (args.corpus / "labels.jsonl").exists():
        print(f"corpus not found at {args.corpus}; nothing to evaluate", file=sys.stderr)
        return 0
    report = evaluate([n.strip() for n in args.extractors.split(",") if n.strip()], args.corpus)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1, default=str))
        return 0
    head = (
        f"{'extractor':<20}{'group':<9}" + "".join(f"{f:>10}" for f in FIELDS) + f"{'pages/s':>10}"
    )
    print(head)
    for name, r in report.items():
        for group in ("campus", "other", "overall"):
            vals = "".join(f"{r[group][f]:>10.3f}" for f in FIELDS)
            pps = f"{r['pages_per_second']:>10.1f}" if group == "overall" else ""
            print(f"{name:<20}{group:<9}{vals}{pps}")
    if args.pages:
        for name, r in report.items():
            print(f"\n== {name}: pages below 1.0 (must_not 1 = leak)")
            for p in r["pages"]:
                bad = {
                    k: round(v, 2) for k, v in p["scores"].items() if (v < 1.0) != (k == "must_not")
                }
                if bad or p["error"]:
                    print(f"  {p['file'][:90]}: {bad} {p['error'] or ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
