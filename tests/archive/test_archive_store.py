"""Articles: new / unchanged / changed / alias outcomes, versions kept, URLs never lost."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from archive import Archive
from archive.schema import Article, ArticleUrl, Caption, Credit, Version
from tests.archive.archive_factories import HTML, SITE, T0, article, capture


def _count(arc: Archive, model: type) -> int:
    with arc.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_outcomes_with_exact_counts(archive: Archive) -> None:
    outcomes = [archive.store_article(article(n)).outcome for n in (1, 2, 3)]
    assert outcomes == ["new", "new", "new"]
    assert archive.store_article(article(2)).outcome == "unchanged"
    changed = archive.store_article(article(3, body="第一段，論壇3開幕。\n第二段，已更正。"))
    assert changed.outcome == "changed"
    mirror = article(1, url="https://mirror.demo.edu.cn/1.htm", canonical_url="https://m/1")
    alias = archive.store_article(mirror)
    assert alias.outcome == "alias"
    assert alias.article_id == archive.article_id_for_url(article(1).url)
    assert _count(archive, Article) == 3
    assert _count(archive, Version) == 4
    assert _count(archive, Caption) == 4
    assert _count(archive, Credit) == 8
    assert _count(archive, ArticleUrl) == 5
    assert archive.site_counts() == {
        SITE: {
            "articles": 3,
            "versions": 4,
            "captions": 4,
            "credits": 8,
            "failures": 0,
            "aliases": 2,
        }
    }
    assert archive.integrity_check() == "ok"


def test_change_keeps_old_version_intact(archive: Archive) -> None:
    first = archive.store_article(article(7))
    new_body = "第一段，論壇7開幕。\n第二段，與會學者熱烈發言。"
    second = archive.store_article(article(7, body=new_body, title="論壇改期"))
    assert (second.article_id, second.outcome) == (first.article_id, "changed")
    assert second.version_id != first.version_id
    versions = archive.versions(first.article_id)
    assert [v["seq"] for v in versions] == [1, 2]
    assert versions[0]["body"] == "第一段，論壇7開幕。\n第二段，與會學者發言。"
    assert versions[0]["title"] == "我校舉辦第7屆學術論壇"
    assert versions[1]["body"] == new_body
    latest = archive.get_article(first.article_id)
    assert latest is not None
    assert latest["version_count"] == 2
    assert latest["version"]["seq"] == 2
    assert latest["version"]["title"] == "論壇改期"
    old = archive.get_article(article(7).url, version=1)
    assert old is not None and old["version"]["title"] == "我校舉辦第7屆學術論壇"
    assert archive.get_article(first.article_id, version=3) is None
    diff = archive.diff_versions(first.article_id, 1, 2)
    assert diff["fields"] == {"title": ["我校舉辦第7屆學術論壇", "論壇改期"]}
    assert "-第二段，與會學者發言。\n+第二段，與會學者熱烈發言。\n" in diff["body_diff"]
    # storing the old text again is a change back, not a silent overwrite
    third = archive.store_article(article(7))
    assert third.outcome == "changed"
    assert [v["title"] for v in archive.versions(first.article_id)] == [
        "我校舉辦第7屆學術論壇",
        "論壇改期",
        "我校舉辦第7屆學術論壇",
    ]


def test_get_article_shape_and_alias_urls(archive: Archive) -> None:
    cap = archive.record_capture(capture(article(4).url, HTML.encode("gbk")))
    result = archive.store_article(article(4), capture_id=cap.capture_id)
    other = "https://news.demo.edu.cn/info/1001/4.htm?from=home"
    again = archive.store_article(article(4, url=other))
    assert again.outcome == "unchanged"
    got = archive.get_article(other)
    assert got is not None
    assert got["id"] == result.article_id
    assert got["url"] == article(4).url
    assert got["urls"] == [article(4).url, other]
    assert got["first_seen"] == T0
    assert got["mirror_artifact"] is False
    v = got["version"]
    assert v["capture_id"] == cap.capture_id
    assert v["fetched_at"] == T0
    assert v["title_norm"] == "我校举办第4届学术论坛"
    assert v["date"] == "2024-03-05T10:00:00+08:00"
    assert v["day"] == "2024-03-05"
    assert v["source_norm"] == "新闻中心"
    assert v["captions"] == [
        {
            "text": "論壇現場",
            "text_norm": "论坛现场",
            "image_url": "https://news.demo.edu.cn/img/a.jpg",
        }
    ]
    assert v["credits"] == [
        {"role": "文", "name": "王小明", "role_norm": "文", "name_norm": "王小明"},
        {"role": "攝影", "name": "李華", "role_norm": "摄影", "name_norm": "李华"},
    ]
    assert v["script"] == "hant"
    assert v["extractor_version"] == "test-1"
    assert v["created_at"].tzinfo is not None
    assert archive.get_article("https://nowhere.example/") is None
    assert archive.get_article(999) is None


def test_alias_needs_same_site(archive: Archive) -> None:
    archive.store_article(article(5))
    elsewhere = article(5, site="other-univ", url="https://o/5", canonical_url="https://o/5")
    assert archive.store_article(elsewhere).outcome == "new"


def test_latest_article_ids_filters_on_day(archive: Archive) -> None:
    a = archive.store_article(article(1, date="2024-01-31")).article_id
    b = archive.store_article(article(2, date="2024-02-15T09:00:00+08:00")).article_id
    c = archive.store_article(article(3, date=None)).article_id
    d = archive.store_article(article(4, site="x", date="2024-02-01")).article_id
    assert list(archive.latest_article_ids()) == [a, b, c, d]
    assert list(archive.latest_article_ids(site=SITE)) == [a, b, c]
    # an undated article has no day, so any date bound leaves it out
    assert list(archive.latest_article_ids(since="2024-02-01")) == [b, d]
    assert list(archive.latest_article_ids(site=SITE, until="2024-02-14")) == [a]


def test_capture_time_sets_first_and_last_seen(archive: Archive) -> None:
    late = archive.record_capture(capture(article(1).url, b"a", minutes=60))
    early = archive.record_capture(capture(article(1).url, b"b", minutes=0))
    aid = archive.store_article(article(1), capture_id=late.capture_id).article_id
    archive.store_article(replace(article(1)), capture_id=early.capture_id)
    got = archive.get_article(aid)
    assert got is not None
    assert (got["first_seen"], got["last_seen"]) == (T0, T0.replace(hour=3))
