"""The real seed page (a Traditional-script mirror with pinyin junk) wrapped back into HTML.

The text of /work/shared/seeds/000_*.txt is laid out the way the mirror's page lays it out
(navigation, headline, meta line, paragraphs, a photo before each short caption line, the
credit block, then the mirror's junk) and encoded as GBK with ``<meta charset=gb2312>``.
The mirror's second credit line ``(作者:佚名 编辑:山东大学)`` sits after a junk line outside
the article: it is mirror junk and must not become a credit.
"""

from __future__ import annotations

from html import escape

import pytest

from campusnews.extract import extract
from campusnews.extract.types import Credit
from tests.extract._shared import shared_file

SEED = "000_1b0bd5df2f276862.txt"
CAPTIONS = [
    "校区领导班子专题会议研究疫情防控工作",
    "坚持全面排查,严格管控",
    "校区领导班子成员对重点环节进行督导检查",
    "海洋学院党委疫情防控工作受到中央媒体关注",
    "艺术学院党委组织学生推出“小小艺术家”系列活动",
]


def _page() -> bytes:
    lines = [
        ln.strip() for ln in shared_file("seeds", SEED).read_text(encoding="utf-8").splitlines()
    ]
    lines = [ln for ln in lines if ln]
    title = lines[5]
    meta = lines[6]
    start = lines.index(next(ln for ln in lines if ln.startswith("[本站")))
    credit = next(i for i, ln in enumerate(lines) if ln.startswith("【供稿"))
    paragraphs = []
    for k, ln in enumerate(lines[start:credit]):
        if len(ln) < 80 and not ln.endswith("。"):  # short lines between paragraphs: captions
            paragraphs.append(f'<p style="text-align:center"><img src="/images/{k}.jpg"></p>')
            paragraphs.append(f'<p style="text-align:center">{escape(ln)}</p>')
        else:
            paragraphs.append(f"<p>{escape(ln)}</p>")
    time_part, rest = meta.split(" 信息", 1)
    source_part = "信息" + rest.split(" 點擊")[0]
    nav = "".join(f"<li>{escape(ln.lstrip('• '))}</li>" for ln in lines[:3])
    junk = "".join(f"<p>{escape(ln)}</p>" for ln in lines[credit + 1 :])
    html = f"""<!DOCTYPE html><html><head><meta charset="gb2312">
<title>{escape(title)}-山東高校</title></head><body>
<div class="top"><ul>{nav}</ul><p>{escape(lines[3])}</p><p>{escape(lines[4])}</p></div>
<div class="article"><h1>{escape(title)}</h1>
<div class="info"><span>{escape(time_part)}</span> <span>{escape(source_part)}</span>
<span>點擊:</span> 【<a href="#">加入收藏</a>】【 字體:】</div>
<div class="content">{"".join(paragraphs)}<p>{escape(lines[credit])}</p></div></div>
<div class="bottom">{junk}</div></body></html>"""
    # a few pinyin letters have no GBK code: written as character references, as pages do
    return html.encode("gbk", errors="xmlcharrefreplace")


@pytest.fixture(scope="module")
def article():
    return extract("http://www.sdgx.example/html/2020/0403/1.html", _page())


def test_title(article):
    assert article.normalized.title == "党旗飘扬10威海校区党工委防控发展“两手抓”,努力夺取“双胜利”"


def test_date(article):
    assert article.date == "2020-04-03"


def test_source(article):
    assert article.normalized.source == "山东大学"


def test_captions(article):
    assert [c.text for c in article.normalized.captions] == CAPTIONS
    assert article.captions[0].image_url == "http://www.sdgx.example/images/2.jpg"


def test_credits(article):
    assert article.normalized.credits == (
        Credit("供稿单位", "组织部"),
        Credit("供稿单位", "威海校区党工委"),
        Credit("作者", "组文"),
        Credit("编辑", "新闻网工作室"),
        Credit("责任编辑", "王莉莉"),
    )


def test_body_is_clean(article):
    body = article.normalized.body_text
    assert body.startswith("[本站讯]近期,在学校党委的坚强领导下,威海校区党工委以党的政治建设为统领")
    assert body.endswith("争取赢得疫情防控和事业发展的“双胜利”。")
    for caption in CAPTIONS:  # caption text also occurs inside a paragraph: compare lines
        assert caption not in article.normalized.body
    for junk in ["供稿", "责任编辑", "佚名", "上一篇", "函授报名", "(作者", "(xué)", "ǎ"]:
        assert junk not in body


def test_mirror_and_script(article):
    assert article.script == "hant"
    assert article.mirror_artifact is True
    assert article.pinyin_removed > 0
    assert article.decode is not None and article.decode.encoding in ("gb18030", "gbk")
    assert "(xué)" not in (article.original.source or "")
