"""The demo profiles load and their selectors point at the ground-truth values on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from parsel import Selector

from campusnews.profiles import BUILTIN_DIR, load_profile_file, to_xpath
from fixtures.server import SITE_KEYS, Site, expected_articles
from tests.fixtures_site._helpers import decode, squeeze

YMD = re.compile(r"(\d{4})\D(\d{1,2})\D(\d{1,2})")
CASES = [(k, a["path"]) for k in SITE_KEYS for a in expected_articles(k)]


def _texts(sel: Selector | Any, selector: str | None) -> list[str]:
    if not selector:
        return []
    return [
        squeeze("".join(node.xpath(".//text()").getall())) for node in sel.xpath(to_xpath(selector))
    ]


@pytest.mark.parametrize("key", SITE_KEYS)
def test_profile_file_is_valid(key: str) -> None:
    prof = load_profile_file(BUILTIN_DIR / f"{key}.toml")
    assert prof.key == key
    assert prof.base_url == "http://127.0.0.1:8000"
    assert prof.timezone == ("Asia/Taipei" if key == "demo-big5" else "Asia/Shanghai")


@pytest.mark.parametrize(("key", "path"), CASES)
def test_article_selectors_find_the_expected_fields(
    sites: dict[str, Site], key: str, path: str
) -> None:
    art = next(a for a in expected_articles(key) if a["path"] == path)
    rules = load_profile_file(BUILTIN_DIR / f"{key}.toml").article
    sel = Selector(text=decode(sites[key].pages[path].body, art["encoding"]))
    mirror = art["mirror"]
    title = art["title_annotated"] if mirror else art["title"]
    assert _texts(sel, rules.title) == [squeeze(title)]

    date_text = "".join(_texts(sel, rules.date))
    m = YMD.search(date_text)
    if art["date"] is None:
        assert m is None
    else:
        assert (
            m is not None and "{}-{:02d}-{:02d}".format(*map(int, m.groups())) == art["date"][:10]
        )
        if "T" in art["date"]:
            assert art["date"][11:16] in date_text

    source_text = "".join(_texts(sel, rules.source))
    if art["source"]:
        assert squeeze(art["source"]) in re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔù]+\)", "", source_text)
    else:
        assert "来源" not in source_text

    captions = art["captions_annotated"] if mirror else [c["text"] for c in art["captions"]]
    assert _texts(sel, rules.captions) == [squeeze(c) for c in captions]

    credit_text = "".join(_texts(sel, rules.credits))
    if mirror:
        assert credit_text == squeeze(art["credit_line_annotated"])
    else:
        for role, name in art["credits"]:
            if role != "通讯员":  # VSB prints these inline at the end of paragraph 1
                assert squeeze(role) in credit_text and squeeze(name) in credit_text

    (body,) = sel.xpath(to_xpath(rules.body))
    # Match every exclude selector first, then drop: "p.vsbcontent_img + p" needs its sibling.
    doomed = [node for ex in rules.exclude for node in body.xpath(to_xpath(ex))]
    for node in doomed:
        node.drop()
    body_text = squeeze("".join(body.xpath(".//text()").getall()))
    paragraphs = art["body_annotated"] if mirror else art["body"]
    for para in paragraphs:
        assert squeeze(para) in body_text
    for cap in captions:
        assert squeeze(cap) not in body_text
    for line in _texts(sel, rules.credits):
        assert line not in body_text
