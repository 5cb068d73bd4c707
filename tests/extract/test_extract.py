"""extract() on small hand-built pages: one behaviour per test."""

from __future__ import annotations

import pytest

from campusnews.exceptions import ExtractionError
from campusnews.extract import extract
from campusnews.extract.types import Caption, Credit
from campusnews.profiles import parse_profile

PARA = "这是正文的第一段，记录了学校举办的一次学术活动，内容充实，文字较长，足以成为正文。"
PARA2 = "第二段继续介绍活动的情况，与会师生进行了热烈的讨论，并对今后的工作提出了建议。"


def page(content: str, meta: str = "", title_tag: str = "学校召开学术研讨会-示范大学新闻网") -> str:
    return f"""<html><head><title>{title_tag}</title></head><body>
    <div class="nav"><a href="/">首页</a><a href="/xw.htm">学校新闻</a></div>
    <div class="main"><h1 class="title">学校召开学术研讨会</h1>
    <div class="meta">{meta}</div>
    <div id="vsb_content"><div class="v_news_content">{content}</div></div></div>
    <div class="side"><h3>热点新闻</h3>
    <ul><li><a href="/info/1/2.htm">另一条新闻</a> 2019-01-01</li></ul></div>
    </body></html>"""


def test_title_date_source_from_meta_line():
    html = page(
        f"<p>{PARA}</p>", "<span>发布时间：2020-4-3 10:12</span><span>来源：党委宣传部</span>"
    )
    a = extract("http://news.example.edu.cn/info/1012/1234.htm", html)
    assert (a.title, a.date, a.source) == (
        "学校召开学术研讨会",
        "2020-04-03T10:12:00+08:00",
        "党委宣传部",
    )
    assert a.body == PARA
    assert a.decode is None
    assert a.canonical_url == "http://news.example.edu.cn/info/1012/1234.htm"


def test_sidebar_date_is_not_the_publish_date():
    html = page(f"<p>{PARA}</p>", "<span>日期：2020年04月03日</span>")
    assert extract("http://x.cn/a.htm", html).date == "2020-04-03"


def test_empty_source_label_gives_none():
    html = page(f"<p>{PARA}</p>", "日期：2021年04月14日 11:19 <span>来源：</span>")
    assert extract("http://x.cn/a.htm", html).source is None


def test_captions_credits_and_inline_credit_removed_from_body():
    content = f"""<p>南开新闻网讯（通讯员 张娅彭）{PARA}</p>
      <p style="text-align:center"><img src="/img/1.jpg"></p>
      <p style="text-align:center">会议现场</p>
      <p>{PARA2}</p>
      <p style="text-align: right">（文/图：张三 编辑：李四 王五）</p>"""
    a = extract("http://x.cn/info/1/1.htm", page(content))
    assert a.original.body == (f"南开新闻网讯{PARA}", PARA2)
    assert a.captions == (Caption("会议现场", "http://x.cn/img/1.jpg"),)
    assert a.credits == (
        Credit("通讯员", "张娅彭"),
        Credit("文", "张三"),
        Credit("图", "张三"),
        Credit("编辑", "李四"),
        Credit("编辑", "王五"),
    )


def test_credit_after_the_container_and_split_label():
    html = page(f"<p>{PARA}</p>").replace(
        '<div class="side">',
        '<div class="editor">责任编辑：</div><div>尹世杰</div><div class="side">',
    )
    assert extract("http://x.cn/a.htm", html).credits == (Credit("责任编辑", "尹世杰"),)


def test_table_rows_are_lines_and_junk_is_dropped():
    content = f"""<p>学校召开学术研讨会</p><p>{PARA}</p>
      <table><tr><td>单位</td><td>联系人</td></tr><tr><td>人事处</td><td>张老师</td></tr></table>
      <p><a href="/f/1.docx">附件：报名表.docx</a></p>
      <p>上一篇：另一条新闻</p>"""
    a = extract("http://x.cn/a.htm", page(content))
    assert a.original.body == (PARA, "单位 联系人", "人事处 张老师")


def test_traditional_page_is_normalized():
    html = page(
        "<p>這是正文的第一段，記錄了學校舉辦的一次學術活動，內容充實，文字較長，足以成為正文。</p>"
    )
    html = html.replace("学校召开学术研讨会", "學校召開學術研討會")
    a = extract("http://x.cn/a.htm", html)
    assert a.script == "hant"
    assert a.title == "學校召開學術研討會"
    assert a.normalized.title == "学校召开学术研讨会"
    assert a.normalized.body_text.startswith("这是正文的第一段，记录了学校举办")


def test_image_only_article_has_empty_body_and_a_warning():
    a = extract("http://x.cn/a.htm", page('<p><img src="/a.jpg"><img src="/b.jpg"></p>'))
    assert a.body == ""
    assert a.warnings == ("empty body: the article container holds no text (image-only page?)",)


def test_bare_page_with_xml_declaration():
    html = (
        '<?xml version="1.0" encoding="utf-8"?><html><head><title>标题测试-示范站</title></head>'
        f"<body><h1>标题测试</h1><p>{PARA}</p></body></html>"
    )
    a = extract("http://x.cn/a.htm", html)
    assert (a.title, a.body) == ("标题测试", PARA)


def test_binary_body_raises_decode_error():
    from campusnews.exceptions import DecodeError

    with pytest.raises(DecodeError):
        extract("http://x.cn/a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)


def test_no_title_raises():
    with pytest.raises(ExtractionError):
        extract("http://x.cn/a.htm", "<html><body></body></html>")


def _profile(**article):
    data = {"name": "示范", "base_url": "http://x.cn", "start_urls": ["/"], "article": article}
    return parse_profile(data, "test.toml", "demo")


def test_profile_selectors_override_and_fall_back_with_warning():
    html = page(f"<p>{PARA}</p><p class='zz'>作者：张三</p>", "<span class='d'>2020-04-03</span>")
    prof = _profile(
        title="div.main h1", date="span.d", source="span.nope", credits="p.zz", exclude=["p.zz"]
    )
    a = extract("http://x.cn/a.htm", html, profile=prof)
    assert (a.title, a.date, a.source) == ("学校召开学术研讨会", "2020-04-03", None)
    assert a.credits == (Credit("作者", "张三"),)
    assert a.body == PARA
    assert a.warnings == ("profile selector article.source matched nothing; generic source used",)
