"""Extraction of every fixture-site article page with its demo profile: exact fields.

The pages come straight from ``fixtures.server.build_sites()`` (no HTTP), so these run in
about a second; ``tests/e2e`` checks the same fields after a real crawl.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

import campusnews.extract._core as core
from campusnews.extract import Caption, Credit, extract
from campusnews.profiles import get_profile
from fixtures.server import SITE_KEYS, build_sites, expected_articles, special_paths

BASE = "http://127.0.0.1:8000"


@cache
def _pages() -> dict[str, Any]:
    return build_sites()


def _body(site: str, path: str) -> bytes:
    return _pages()[site].pages[path].body


def _extract(site: str, path: str, **kw: Any):
    return extract(BASE + path, _body(site, path), content_type="text/html", **kw)


def _fields(site: str, exp: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    a = _extract(site, exp["path"], profile=get_profile(site))
    o, n = a.original, a.normalized
    return {
        "title": (o.title, exp["title"]),
        "title_norm": (n.title, exp["title_norm"]),
        "date": (a.date, exp["date"]),
        "source": (o.source, exp["source"]),
        "source_norm": (n.source, exp["source_norm"]),
        "body": (list(o.body), exp["body"]),
        "body_norm": (list(n.body), exp["body_norm"]),
        "captions": (
            [(c.text, c.image_url) for c in o.captions],
            [(c["text"], BASE + c["image_url_path"]) for c in exp["captions"]],
        ),
        "captions_norm": ([c.text for c in n.captions], exp["captions_norm"]),
        "credits": ([[c.role, c.name] for c in o.credits], exp["credits"]),
        "credits_norm": ([[c.role, c.name] for c in n.credits], exp["credits_norm"]),
        "script": (a.script, exp["script"]),
        "mirror": (a.mirror_artifact, exp["mirror"]),
    }


@pytest.mark.parametrize("site", SITE_KEYS)
def test_every_field_of_every_fixture_article(site: str) -> None:
    bad = []
    for exp in expected_articles(site):
        for name, (have, want) in _fields(site, exp).items():
            if have != want:
                bad.append(f"{exp['path']} {name}: {have!r} != {want!r}")
    assert not bad, "\n".join(bad[:10])


def test_vsb_inline_credits_leave_the_first_paragraph() -> None:
    a = _extract("demo-vsb", "/info/1012/2461.htm", profile=get_profile("demo-vsb"))
    assert a.credits == (Credit("通讯员", "王堃"), Credit("通讯员", "张祎"))
    assert a.original.body[0] == (
        "4月26日上午，“践行初心使命”主题党日活动在图书馆报告厅举行。"
        "与会人员还实地参观了实验室和创新实践基地，对学院近年来的建设成果给予了充分肯定。"
    )
    assert a.captions == (
        Caption(
            "经济管理学院展台前人头攒动",
            BASE + "/__local/C/8F/CB/A7B82972897D484DA38B21A36A5_5EFB.png",
        ),
        Caption("学生代表发言", BASE + "/__local/F/F2/3F/364AA8A5DB990758682CB632D30_25F4.png"),
    )


def test_vsb_meta_author_then_inline_correspondent_in_page_order() -> None:
    a = _extract("demo-vsb", "/info/1012/2452.htm", profile=get_profile("demo-vsb"))
    assert a.credits == (Credit("作者", "赵明"), Credit("通讯员", "丁浩然"))


def test_mirror_pinyin_removed_from_title_captions_and_credit_block() -> None:
    a = _extract(
        "demo-mirror", "/xinwen/xxyw/20240420/5119.html", profile=get_profile("demo-mirror")
    )
    assert a.mirror_artifact is True
    assert a.title == "文學院舉辦第11屆社團文化節"
    assert a.normalized.title == "文学院举办第11届社团文化节"
    assert a.source == "研究生院"
    assert [c.text for c in a.captions] == ["分組討論", "與會人員合影留念"]
    assert a.captions[1].image_url == BASE + "/uploads/allimg/240420/1-2404201314ecfc-L.png"
    # the 【供稿單位:…】 block, not the junk "(作者:佚名 編輯:山海大學)" line after the body
    assert a.credits == (
        Credit("供稿單位", "招生就業處"),
        Credit("作者", "許雅琴"),
        Credit("編輯", "新聞網工作室"),
        Credit("責任編輯", "鄭國平"),
    )


def test_mirror_island_repaired_in_a_body_paragraph() -> None:
    a = _extract(
        "demo-mirror", "/xinwen/xxyw/20240409/5103.html", profile=get_profile("demo-mirror")
    )
    assert "學校從上級下撥和校區自籌經費中安排321萬元" in a.body
    assert "(" not in a.body


def test_mirror_page_with_control_characters_in_annotated_text() -> None:
    # lxml refuses control characters in a node that the pinyin strip rewrites: the page must
    # still give the fields it gives without them (clean_text drops them anyway).
    path = "/xinwen/xxyw/20240420/5119.html"
    profile = get_profile("demo-mirror")
    clean = _extract("demo-mirror", path, profile=profile)
    dirty = _body("demo-mirror", path).replace(b"<p>", b"<p>\x0c\x01")
    assert dirty.count(b"\x0c\x01") == 3
    a = extract(BASE + path, dirty, content_type="text/html", profile=profile)
    assert (a.title, a.body, a.credits, a.captions) == (
        clean.title,
        clean.body,
        clean.credits,
        clean.captions,
    )
    assert "(" not in a.body


def test_mirror_page_without_a_date() -> None:
    profile = get_profile("demo-mirror")
    for path in special_paths("demo-mirror")["no_date"]:
        a = _extract("demo-mirror", path, profile=profile)
        assert a.date is None
        assert "profile selector article.date found no date; generic date used" in a.warnings


def test_big5_reporter_dateline_and_figcaption_image() -> None:
    a = _extract(
        "demo-big5", "/p/406-1000-5225,r11.php?Lang=zh-tw", profile=get_profile("demo-big5")
    )
    assert a.credits == (Credit("記者", "曹濤"), Credit("攝影", "周濤"), Credit("圖", "秘書室"))
    assert a.normalized.credits[0] == Credit("记者", "曹涛")
    assert a.captions == (
        Caption("師生認真聆聽報告", BASE + "/var/file/11/1011/img/2024/524/7b63e5817.png"),
    )
    assert a.date == "2024-05-24"


def test_webplus_caption_sharing_a_paragraph_with_its_image() -> None:
    a = _extract(
        "demo-webplus", "/2024/0423/c24256a637976/page.htm", profile=get_profile("demo-webplus")
    )
    base = BASE + "/_upload/article/images/"
    assert a.captions == (
        Caption(
            "“传承红色基因”主题党日活动现场",
            base + "1b/3a/0b8c9cd79e361b2c296fef883b89/f7c8c00d-d186-27cf-ea55-060ae0dc6c36.png",
        ),
        Caption(
            "获奖师生合影",
            base + "a6/fa/2deb3abb61f36d623af872a2b333/8c07bbf2-4cbb-a7ab-78ca-559b410b7e76.png",
        ),
    )
    assert a.credits == (
        Credit("撰稿", "魏杰"),
        Credit("摄影", "袁晨曦"),
        Credit("编辑", "徐艳"),
        Credit("责任编辑", "曾子涵"),
    )
    assert a.source is None


@pytest.mark.parametrize("site", SITE_KEYS)
def test_selected_elements_only_gives_the_whole_page_result(
    site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A complete profile reads only its elements; the answer is the same as walking it all."""
    profile = get_profile(site)
    paths = [e["path"] for e in expected_articles(site)][:4]
    fast = [_extract(site, p, profile=profile) for p in paths]
    real = core._extract

    def whole(*args: Any, **kw: Any) -> Any:
        return real(*args, **{**kw, "whole_page": True})

    monkeypatch.setattr(core, "_extract", whole)
    slow = [_extract(site, p, profile=profile) for p in paths]
    for a, b in zip(fast, slow, strict=True):
        assert (a.original, a.normalized, a.date) == (b.original, b.normalized, b.date), a.url


def test_pages_without_a_tone_mark_skip_the_pinyin_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = core.normalize.pinyin_decision
    monkeypatch.setattr(
        core.normalize, "pinyin_decision", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    _extract("demo-vsb", "/info/1012/2461.htm", profile=get_profile("demo-vsb"))
    assert calls == []
    _extract("demo-mirror", "/xinwen/xxyw/20240420/5119.html", profile=get_profile("demo-mirror"))
    assert calls == [1]
