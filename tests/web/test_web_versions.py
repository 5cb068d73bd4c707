"""Versions and hostile text in the web view.

An article changed between two real crawls shows two versions and a readable diff; a title
holding ``<script>`` is shown as text, and a ``javascript:`` URL is never made a link.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from archive import Archive, ArticleIn, CaptionIn, CreditIn
from campusnews.web import create_app
from campusnews.web._state import EXTENSION_KEY
from tests.web.conftest import NEW_SENTENCE, OLD_SENTENCE, crawl_changed

HOSTILE_TITLE = '<script>alert("標題")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """demo-big5 crawled, one article's body edited on the server, crawled again."""
    db = tmp_path_factory.mktemp("web-versions") / "crawl.db"
    url = crawl_changed(db)
    app = create_app(f"sqlite:///{db}")
    arc: Archive = app.extensions[EXTENSION_KEY]
    article_id = arc.article_id_for_url(url)
    assert article_id is not None
    try:
        yield {"client": app.test_client(), "id": article_id, "arc": arc}
    finally:
        arc.close()


@pytest.mark.slow
def test_changed_article_lists_two_versions(changed: dict[str, Any]) -> None:
    doc = lxml.html.fromstring(changed["client"].get(f"/article/{changed['id']}").data)
    rows = doc.xpath('//section[@class="versions"]//tbody/tr')
    assert [r[0].text_content() for r in rows] == ["1", "2"]
    assert "Versions (2)" in doc.xpath('string(//section[@class="versions"]/h2)')
    # The latest version is shown; the older one can be opened.
    body = doc.xpath('string(//div[@class="body"])')
    assert "本次修订新增两项内容" in body and "培训内容涵盖政策解读" not in body
    old = lxml.html.fromstring(
        changed["client"].get(f"/article/{changed['id']}?version=1&original=1").data
    )
    assert OLD_SENTENCE in old.xpath('string(//div[@class="body"])')
    assert "version 1 of 2" in old.xpath('string(//p[@class="notice"])')


@pytest.mark.slow
def test_version_diff_is_escaped_lines_with_classes(changed: dict[str, Any]) -> None:
    resp = changed["client"].get(f"/article/{changed['id']}/diff?a=1&b=2")
    assert resp.status_code == 200
    doc = lxml.html.fromstring(resp.data)
    spans = doc.xpath('//pre[@id="body-diff"]/span')
    kinds = [s.get("class") for s in spans]
    assert kinds[:3] == ["file", "file", "hunk"]
    deleted = [s.text_content() for s in spans if s.get("class") == "del"]
    added = [s.text_content() for s in spans if s.get("class") == "add"]
    assert len(deleted) == len(added) == 1
    assert deleted[0].startswith("-") and OLD_SENTENCE in deleted[0]
    assert added[0].startswith("+") and NEW_SENTENCE in added[0]
    assert deleted[0][1:].replace(OLD_SENTENCE, NEW_SENTENCE) == added[0][1:]
    # Within the changed line only the edited characters are emphasized.
    old_em = "".join(doc.xpath('//pre[@id="body-diff"]/span[@class="del"]/em/text()'))
    new_em = "".join(doc.xpath('//pre[@id="body-diff"]/span[@class="add"]/em/text()'))
    assert old_em and set(old_em) <= set(OLD_SENTENCE)
    assert new_em and set(new_em) <= set(NEW_SENTENCE)
    # With no versions named, the last two are compared; unknown versions are 404.
    assert changed["client"].get(f"/article/{changed['id']}/diff").data == resp.data
    assert changed["client"].get(f"/article/{changed['id']}/diff?a=1&b=7").status_code == 404
    assert changed["client"].get(f"/article/{changed['id']}/diff?a=1").status_code == 400


# -- hostile content --------------------------------------------------------------------------


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[Any]:
    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    with Archive(url) as arc:
        stored = arc.store_article(
            ArticleIn(
                site="evil",
                url="javascript:alert(1)",
                canonical_url="javascript:alert(1)",
                title=HOSTILE_TITLE,
                title_norm=HOSTILE_TITLE,
                date="2024-05-01",
                source="<b>来源</b>",
                source_norm="<b>来源</b>",
                body="第一段<script>alert(2)</script>学校\n第二段 </p><iframe src=//x>",
                body_norm="第一段<script>alert(2)</script>学校\n第二段 </p><iframe src=//x>",
                captions=[CaptionIn("<svg onload=alert(3)>图", "<svg onload=alert(3)>图")],
                credits=[CreditIn("<i>文</i>", "\"'><x>", "<i>文</i>", "\"'><x>")],
                script="hans",
            )
        )
        assert stored.outcome == "new"
        arc.finish_run(
            arc.start_run("evil", "full"),
            "ok",
            {"pages": 1},
            alerts=[{"field": "<script>x</script>", "drop": 0.5}],
        )
    app = create_app(url)
    try:
        yield app.test_client(), stored.article_id
    finally:
        app.extensions[EXTENSION_KEY].close()


def test_script_in_title_is_shown_as_text(hostile: Any) -> None:
    client, article_id = hostile
    for path in (f"/article/{article_id}", "/?q=学校", "/sites", "/?q=script"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        doc = lxml.html.fromstring(resp.data)
        assert doc.xpath("//script | //iframe | //img | //x | //b | //i") == [], path
        assert b"<script>" not in resp.data, path
    doc = lxml.html.fromstring(client.get(f"/article/{article_id}").data)
    assert doc.xpath('string(//h1[@id="article-title"])') == HOSTILE_TITLE
    assert doc.xpath('//dd[@class="url"]/a') == []  # javascript: is text, not a link
    assert doc.xpath('string(//dd[@class="url"])') == "javascript:alert(1)"
    sites = lxml.html.fromstring(client.get("/sites").data)
    alert = sites.xpath('string(//div[@class="alerts"]//li)')
    assert "field=<script>x</script>" in alert and "drop=0.5" in alert
    results = lxml.html.fromstring(client.get("/?q=学校").data)
    assert results.xpath('string(//li[@class="hit"]/a[@class="title"])') == HOSTILE_TITLE
    assert [m.text for m in results.xpath("//mark")] == ["学校"]
