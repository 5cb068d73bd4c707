"""Ground truth (``expected_articles``) agrees with the pages it describes."""

from __future__ import annotations

import re
from typing import Any

import pytest

from fixtures.server import SITE_KEYS, Site, expected_articles
from fixtures.site.common import to_simplified
from tests.fixtures_site._helpers import decode, page_text, squeeze

ISO = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:00\+08:00)?")
KEYS = {
    "path", "aliases", "title", "date", "source", "body", "captions", "credits", "title_norm",
    "source_norm", "body_norm", "captions_norm", "credits_norm", "script", "mirror",
    "listed_on", "must_not", "encoding", "declared", "column", "date_raw",
}  # fmt: skip
CASES = [(k, a["path"]) for k in SITE_KEYS for a in expected_articles(k)]


def _article(key: str, path: str) -> dict[str, Any]:
    return next(a for a in expected_articles(key) if a["path"] == path)


def _text(sites: dict[str, Site], key: str, art: dict[str, Any]) -> str:
    return page_text(decode(sites[key].pages[art["path"]].body, art["encoding"]))


@pytest.mark.parametrize("key", SITE_KEYS)
def test_records_have_the_documented_keys(key: str) -> None:
    for art in expected_articles(key):
        assert set(art) >= KEYS, art["path"]
        assert art["script"] == ("hans" if key in ("demo-vsb", "demo-webplus") else "hant")
        assert art["mirror"] is (key == "demo-mirror")
        assert art["date"] is None or ISO.fullmatch(art["date"])
        assert 2 <= len(art["body"]) <= 6
        assert all(p and p == p.strip() for p in art["body"])


@pytest.mark.parametrize(("key", "path"), CASES)
def test_fields_occur_in_the_page(sites: dict[str, Site], key: str, path: str) -> None:
    art = _article(key, path)
    text = _text(sites, key, art)
    if art["mirror"]:  # the page shows the annotated forms
        fields = [art["title_annotated"], *art["body_annotated"], *art["captions_annotated"]]
        fields.append(art["credit_line_annotated"])
    else:
        fields = [art["title"], *art["body"], *(c["text"] for c in art["captions"])]
        fields += [n for _r, n in art["credits"]] + [r for r, _n in art["credits"]]
        fields += [art["source"]] if art["source"] else []
    for field in fields:
        assert squeeze(field) in text, field
    if art["date_raw"]:
        assert squeeze(art["date_raw"]) in text
    else:
        assert art["date"] is None
    html = decode(sites[key].pages[path].body, art["encoding"])
    for cap in art["captions"]:
        assert f'src="{cap["image_url_path"]}"' in html
        assert sites[key].pages[cap["image_url_path"]].body.startswith(b"\x89PNG")


@pytest.mark.parametrize(("key", "path"), CASES)
def test_must_not_strings_are_on_the_page_but_not_in_the_body(
    sites: dict[str, Site], key: str, path: str
) -> None:
    art = _article(key, path)
    text = _text(sites, key, art)
    body = squeeze("".join(art["body"]))
    for s in art["must_not"]:
        if not art["mirror"]:  # mirror pages show these annotated
            assert squeeze(s) in text, s
        assert squeeze(s) not in body, s
    for cap in art["captions"]:
        assert squeeze(cap["text"]) not in body


@pytest.mark.parametrize(("key", "path"), CASES)
def test_normalized_fields_are_the_converted_originals(key: str, path: str) -> None:
    art = _article(key, path)
    conv = to_simplified if art["script"] == "hant" else (lambda s: s)
    assert conv(art["title"]) == art["title_norm"]
    assert [conv(p) for p in art["body"]] == art["body_norm"]
    assert [conv(c["text"]) for c in art["captions"]] == art["captions_norm"]
    assert [[conv(r), conv(n)] for r, n in art["credits"]] == art["credits_norm"]
    assert (conv(art["source"]) if art["source"] else None) == art["source_norm"]
    if art["script"] == "hant":
        assert art["title"] != art["title_norm"]


def test_mirror_credits_follow_the_seed_block() -> None:
    for art in expected_articles("demo-mirror"):
        roles = [r for r, _n in art["credits"]]
        assert roles[-3:] == ["作者", "編輯", "責任編輯"]
        assert set(roles[:-3]) == {"供稿單位"}
        assert art["credit_line"].startswith("【供稿單位:") and art["credit_line"].endswith("】")
        assert art["body"][0].startswith("[本站訊]")
        assert not any("\uff01" <= ch <= "\uff5e" for p in art["body"] for ch in p)  # folded


def _container(art: dict[str, Any]) -> str:
    return "\n".join(
        [*art["body_annotated"], *art["captions_annotated"], art["credit_line_annotated"]]
    )


@pytest.mark.parametrize("path", [a["path"] for a in expected_articles("demo-mirror")])
def test_stripping_the_annotations_gives_the_expected_text(path: str) -> None:
    normalize = pytest.importorskip("campusnews.normalize")
    if not hasattr(normalize, "strip_pinyin") or not hasattr(normalize, "pinyin_decision"):
        pytest.skip("campusnews.normalize.strip_pinyin is not written yet")
    art = _article("demo-mirror", path)
    # The gate sees the whole body container (paragraphs, caption lines, the credit block); the
    # host's decision (bodies and titles of all its pages) covers chars a page shows only once.
    site = expected_articles("demo-mirror")
    host = normalize.pinyin_decision(
        "\n".join([_container(a) for a in site] + [a["title_annotated"] for a in site])
    )
    decision = normalize.pinyin_decision(_container(art), known_chars=host.chars)
    assert decision.fired

    def strip(text: str) -> str:
        out = normalize.strip_pinyin(text, decision)
        return out[0] if isinstance(out, tuple) else out

    assert [strip(p) for p in art["body_annotated"]] == art["body"]
    assert strip(art["title_annotated"]) == art["title"]
    assert [strip(c) for c in art["captions_annotated"]] == [c["text"] for c in art["captions"]]
    assert strip(art["credit_line_annotated"]) == art["credit_line"]
