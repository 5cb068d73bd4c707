"""Scoring functions for the labelled corpus (``shared/corpus/labels.jsonl``, see LABELS.md).

Importable by tests (``tests/extract``) and used by ``bench/evaluate.py``. A prediction is a
plain dict with the keys of ``Article.to_json()`` that matter here: title, date, source, body,
captions (list of str), credits (list of {"role", "name"} or [role, name] pairs).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from campusnews.normalize import to_simplified

WS_RE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
TOKEN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z0-9]+")
FIELDS = ("title", "date", "source", "credits", "captions", "body", "must_not")


def shared_dir() -> Path:
    """``../shared`` next to the repository root (``CAMPUSNEWS_SHARED`` overrides)."""
    env = os.environ.get("CAMPUSNEWS_SHARED")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / ".." / "shared"


def load_labels(corpus: Path) -> list[dict[str, Any]]:
    with (corpus / "labels.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def is_campus(label: dict[str, Any]) -> bool:
    """Campus pages: schools of any kind (LABELS.md: 30 campus, 21 other)."""
    return "not a " not in label.get("institution_type", "")


def fold(text: str | None) -> str:
    """Whitespace removed, Traditional folded to Simplified (both sides of every comparison)."""
    return to_simplified(WS_RE.sub("", text or ""))


def _f1(pred: Counter, gold: Counter) -> float:
    if not pred and not gold:
        return 1.0
    if not pred or not gold:
        return 0.0
    common = sum((pred & gold).values())
    if not common:
        return 0.0
    p, r = common / sum(pred.values()), common / sum(gold.values())
    return 2 * p * r / (p + r)


def score_title(pred: str | None, label: dict[str, Any]) -> float:
    ok = {fold(label["title"])} | {fold(v) for v in label.get("title_variants") or []}
    return float(fold(pred) in ok)


def score_date(pred: str | None, label: dict[str, Any]) -> float:
    gold = label.get("date")
    return float((pred or "")[:10] == (gold or "")[:10])


def score_source(pred: str | None, label: dict[str, Any]) -> float:
    return float(fold(pred) == fold(label.get("source")))


def _pairs(items: Iterable[Any]) -> list[tuple[str, str]]:
    out = []
    for c in items:
        role, name = (c["role"], c["name"]) if isinstance(c, dict) else (c[0], c[1])
        out.append((fold(role), fold(name)))
    return out


def score_credits(pred: Iterable[Any], label: dict[str, Any]) -> float:
    """Pair F1; pairs in ``credits_optional`` count neither for nor against."""
    gold = set(_pairs(label.get("credits") or []))
    optional = set(_pairs(label.get("credits_optional") or [])) - gold
    got = set(_pairs(pred)) - optional
    return _f1(Counter(got), Counter(gold))


def score_captions(pred: Iterable[str], label: dict[str, Any]) -> float:
    return _f1(
        Counter(fold(c) for c in pred), Counter(fold(c) for c in label.get("captions") or [])
    )


def tokens(text: str) -> Counter:
    """Han characters one token each, Latin/digit runs one token each."""
    return Counter(TOKEN_RE.findall(to_simplified(text or "")))


def score_body(pred: str | None, label: dict[str, Any]) -> float:
    """Token F1 (an empty predicted body has zero precision unless the gold body is empty)."""
    return _f1(tokens(pred or ""), tokens(label.get("body_text") or ""))


def must_not_leak(pred: str | None, label: dict[str, Any]) -> list[str]:
    """The ``body_must_not`` snippets that appear in the predicted body."""
    body = fold(pred)
    return [s for s in label.get("body_must_not") or [] if fold(s) and fold(s) in body]


def score_page(pred: dict[str, Any] | None, label: dict[str, Any]) -> dict[str, float]:
    """Every field's score for one page (a failed extraction scores zero everywhere it can)."""
    if pred is None:
        pred = {}
    return {
        "title": score_title(pred.get("title"), label),
        "date": score_date(pred.get("date"), label),
        "source": score_source(pred.get("source"), label),
        "credits": score_credits(pred.get("credits") or [], label),
        "captions": score_captions(pred.get("captions") or [], label),
        "body": score_body(pred.get("body"), label),
        "must_not": float(bool(must_not_leak(pred.get("body"), label))),
    }


def aggregate(rows: list[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return {f: 0.0 for f in FIELDS}
    return {f: sum(r[f] for r in rows) / len(rows) for f in FIELDS}
