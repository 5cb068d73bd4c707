"""Pages about one article: its text (normalized or as published), versions, diffs, captures."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from campusnews.web import _state
from campusnews.web._params import BadInput
from campusnews.web._render import (
    diff_lines,
    field_text,
    group_credits,
    paragraphs,
    safe_href,
)
from campusnews.web._warc import capture_warc

bp = Blueprint("article", __name__)

MAX_SEQ = 1_000_000


def _seq(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_SEQ:
        raise BadInput(f"{name} must be a version number")
    return int(raw)


def _captures(art: dict[str, Any]) -> list[dict[str, Any]]:
    """Every capture of the article under any of its URLs, oldest first, without repeats."""
    arc = _state.archive()
    seen: dict[int, dict[str, Any]] = {}
    for url in art["urls"]:
        for c in arc.captures_for_url(url):
            seen.setdefault(c["id"], c)
    return sorted(seen.values(), key=lambda c: (c["fetched_at"], c["id"]))


@bp.get("/article/<int:article_id>")
def show(article_id: int) -> str:
    """The article: ``?original=1`` shows the text as published, ``?version=N`` an older one."""
    arc = _state.archive()
    original = request.args.get("original") == "1"
    art = arc.get_article(article_id, version=_seq("version"))
    if art is None or art["version"] is None:
        abort(404)
    v = art["version"]
    versions = arc.versions(article_id)
    latest = versions[-1]["seq"] if versions else v["seq"]
    return render_template(
        "article.html",
        art=art,
        v=v,
        original=original,
        title=v["title"] if original else v["title_norm"],
        source=v["source"] if original else v["source_norm"],
        body=paragraphs(v["body"] if original else v["body_norm"]),
        captions=[c["text"] if original else c["text_norm"] for c in v["captions"]],
        credits=group_credits(v["credits"], original=original),
        href=safe_href(art["url"]),
        versions=versions,
        latest=latest,
        captures=_captures(art),
    )


@bp.get("/article/<int:article_id>/diff")
def diff(article_id: int) -> str:
    """What changed between versions ``a`` and ``b`` (default: the last two)."""
    arc = _state.archive()
    art = arc.get_article(article_id)
    if art is None:
        abort(404)
    versions = arc.versions(article_id)
    seqs = [v["seq"] for v in versions]
    a, b = _seq("a"), _seq("b")
    if a is None and b is None:
        a, b = (seqs[-2], seqs[-1]) if len(seqs) >= 2 else (seqs[0], seqs[0])
    elif a is None or b is None:
        raise BadInput("give two versions to compare, a and b")
    if a not in seqs or b not in seqs:
        abort(404)
    changes = arc.diff_versions(article_id, a, b)
    return render_template(
        "diff.html",
        art=art,
        title=versions[-1]["title_norm"],
        a=a,
        b=b,
        seqs=seqs,
        fields=[
            (name, field_text(old), field_text(new))
            for name, (old, new) in changes["fields"].items()
        ],
        lines=diff_lines(changes["body_diff"]),
    )


@bp.get("/article/<int:article_id>/capture/<int:capture_id>.warc.gz")
def capture(article_id: int, capture_id: int) -> Response:
    """One capture of the article as a ``.warc.gz`` (with the original a revisit repeats)."""
    arc = _state.archive()
    art = arc.get_article(article_id)
    if art is None:
        abort(404)
    try:
        data = capture_warc(arc, _captures(art), capture_id)
    except KeyError:
        abort(404)
    response = Response(data, mimetype="application/gzip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="campusnews-{article_id}-capture-{capture_id}.warc.gz"'
    )
    return response
