"""Extraction speed: pages per second on the labelled corpus pages, one core.

    python bench/bench_extract.py [--rounds 5] [--extractors campusnews,trafilatura,gne,...]

Every extractor gets the same pages; campusnews gets the raw bytes (decoding included, as the
spider calls it), anchors get the text decoded by campusnews (their own decoding would only
make them slower and less right). The first round is a warm-up (imports, OpenCC, caches) and
is not timed. Anchors that are not installed are skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.evaluate import FACTORIES
from bench.scoring import load_labels, shared_dir
from campusnews.exceptions import CampusNewsError
from campusnews.normalize import decode_page


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument(
        "--extractors", default="campusnews,campusnews-profile,trafilatura,gne,readability"
    )
    ap.add_argument("--corpus", type=Path, default=shared_dir() / "corpus")
    args = ap.parse_args(argv)
    if not (args.corpus / "labels.jsonl").exists():
        print(f"corpus not found at {args.corpus}; nothing to time", file=sys.stderr)
        return 0
    pages = []
    for lab in load_labels(args.corpus):
        raw = (args.corpus / lab["file"]).read_bytes()
        pages.append((lab.get("url") or "", raw, decode_page(raw)[0]))
    total_bytes = sum(len(p[1]) for p in pages)
    print(f"{len(pages)} pages, {total_bytes / 1e6:.1f} MB, {args.rounds} timed rounds")
    print(f"{'extractor':<20}{'pages/s':>10}{'ms/page':>10}{'MB/s':>8}")
    for name in [n.strip() for n in args.extractors.split(",") if n.strip()]:
        try:
            predict = FACTORIES[name]()
        except ImportError as e:
            print(f"{name:<20} skipped: {e}")
            continue
        rates = []
        for r in range(args.rounds + 1):
            t0 = time.perf_counter()
            for url, raw, text in pages:
                with contextlib.suppress(CampusNewsError, ValueError, TypeError, AttributeError):
                    predict(url, raw, text)
            if r:  # round 0 warms up
                rates.append(len(pages) / (time.perf_counter() - t0))
        best = max(rates)
        med = statistics.median(rates)
        print(
            f"{name:<20}{med:>10.1f}{1000 / med:>10.2f}"
            f"{total_bytes / 1e6 * med / len(pages):>8.2f}  (best {best:.1f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
