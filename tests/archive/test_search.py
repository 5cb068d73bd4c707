"""Search over a small hand-written archive: exact result sets, filters, hostile input."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from archive import Archive, ArticleIn, CaptionIn, CreditIn
from archive.query import HAN_RUN, Term, fold, term_pattern
from archive.search import (
    FOLDS_TO_HAN,
    _finder,
    add_search_index,
    index_article,
    make_snippet,
    matching_versions,
    reindex,
    search,
    search_counts_by_month,
    search_month_counts,
)
from campusnews.exceptions import QueryError


def _art(
    n: int,
    site: str,
    title: tuple[str, str],
    body: tuple[str, str],
    date: str | None,
    credits: list[tuple[str, str, str, str]],
    captions: list[tuple[str, str]],
    source: tuple[str, str] | None,
    script: str,
) -> ArticleIn:
    url = f"https://{site}.example.edu/news/{n}.htm"
    return ArticleIn(
        site=site,
        url=url,
        canonical_url=url,
        title=title[0],
        title_norm=title[1],
        date=date,
        source=source[0] if source else None,
        source_norm=source[1] if source else None,
        body=body[0],
        body_norm=body[1],
        captions=[CaptionIn(t, tn) for t, tn in captions],
        credits=[CreditIn(*c) for c in credits],
        script=script,
    )


def _same(s: str) -> tuple[str, str]:
    return (s, s)


# Six articles: sdu in Simplified, ntu in Traditional (with its Simplified normalized form).
ARTICLES = [
    _art(
        1,
        "sdu",
        _same("学校召开疫情防控工作会议"),
        _same("3月1日，学校召开疫情防控工作会议。党委书记李明出席并讲话。\n会议要求做好校园管理。"),
        "2020-03-01",
        [
            ("作者", "张三", "作者", "张三"),
            ("摄影", "王五", "摄影", "王五"),
            ("责任编辑", "赵六", "责任编辑", "赵六"),
            ("供稿单位", "党委宣传部", "供稿单位", "党委宣传部"),
        ],
        [_same("会议现场")],
        _same("党委宣传部"),
        "hans",
    ),
    _art(
        2,
        "sdu",
        _same("我校举办COVID-19防疫讲座"),
        _same("讲座介绍了新冠病毒的传播途径。2020年度报告同时发布。"),
        "2020-04-15T09:30+08:00",
        [("记者", "李四", "记者", "李四"), ("审核", "钱七", "审核", "钱七")],
        [_same("讲座现场，学生认真听讲")],
        _same("新闻中心"),
        "hans",
    ),
    _art(
        3,
        "ntu",
        ("學校舉行畢業典禮", "学校举行毕业典礼"),
        ("畢業典禮在體育館舉行，校長致辭。", "毕业典礼在体育馆举行，校长致辞。"),
        "2021-06-20",
        [("文", "陳大文", "文", "陈大文"), ("攝影", "林小華", "摄影", "林小华")],
        [("典禮現場", "典礼现场")],
        ("秘書室", "秘书室"),
        "hant",
    ),
    _art(
        4,
        "ntu",
        ("圖書館延長開放時間", "图书馆延长开放时间"),
        (
            "因應期末考試，圖書館延長開放時間至晚上十二點。疫情期間請配戴口罩。",
            "因应期末考试，图书馆延长开放时间至晚上十二点。疫情期间请配戴口罩。",
        ),
        "2021-12-01",
        [("記者", "王小明", "记者", "王小明")],
        [],
        ("圖書館", "图书馆"),
        "hant",
    ),
    _art(
        5,
        "sdu",
        _same("新冠疫情防控常态化"),
        _same("疫情防控进入常态化阶段。防控 工作不能松懈。"),
        None,
        [("通讯员", "张三丰", "通讯员", "张三丰")],
        [],
        None,
        "hans",
    ),
    _art(
        6,
        "sdu",
        _same("党建工作会议召开"),
        _same("学校党委召开党建工作会议，部署2021年党建工作。"),
        "2021-01-10",
        [("供稿", "组织部", "供稿", "组织部")],
        [],
        None,
        "hans",
    ),
]


@pytest.fixture
def arc(archive: Archive) -> Archive:
    """The archive with :data:`ARTICLES` stored (ids 1-6) and indexed."""
    ids = [archive.store_article(a).article_id for a in ARTICLES]
    assert ids == [1, 2, 3, 4, 5, 6]
    assert reindex(archive) == 6
    return archive


def _ids(arc: Archive, query: str | None, **kw: object) -> set[int]:
    page = search(arc, query, limit=100, **kw)  # type: ignore[arg-type]
    assert page.total == len(page.hits)
    return {h.article_id for h in page.hits}


QUERIES = {
    # one character, either script
    "疫": {1, 2, 4, 5},
    "党": {1, 6},
    "黨": {1, 6},
    "校": {1, 2, 3, 6},
    "〇": set(),
    # two characters
    "疫情": {1, 4, 5},
    "学校": {1, 3, 6},
    "學校": {1, 3, 6},
    "十二點": {4},
    "十二点": {4},
    # many characters
    "疫情防控": {1, 5},
    "防控工作": {1},  # article 5 has "防控 工作"
    "毕业典礼": {3},
    "畢業典禮": {3},
    "疫情防控工作会议": {1},
    "会议现场": {1},  # a caption
    "张三": {1, 5},  # credit names are searchable
    # Latin and digits
    "covid": {2},
    "COVID-19": {2},
    "cov": {2},
    "ovid": set(),
    "19": {2},
    "2020年": {2},
    "2020年度报告": {2},
    # phrases, OR, exclusion, grouping
    '"防控 工作"': {5},
    '"疫情防控"': {1, 5},
    "疫情 -党": {4, 5},
    "疫情 NOT 党": {4, 5},
    '疫情 -"防控 工作"': {1, 4},
    "党 OR 图书馆": {1, 4, 6},
    "(党 OR 图书馆) 会议": {1, 6},
    "会议 -(党 OR 校园)": set(),
    "校 -党 -图书馆": {2, 3},
    "疫情 防控 常态化": {5},
    # nothing
    "xyz": set(),
    "火星": set(),
}


def test_query_result_sets(arc: Archive) -> None:
    got = {q: _ids(arc, q) for q in QUERIES}
    assert got == QUERIES


def test_results_equal_a_substring_scan(arc: Archive) -> None:
    # Recall and precision 1.0 against a LIKE scan of the normalized text, for Chinese words.
    words = ["疫", "党", "校", "会", "疫情", "学校", "防控", "疫情防控", "工作会议", "典礼现场"]
    for word in words:
        like = f"%{word}%"
        with arc.engine.connect() as conn:
            scan = set(
                conn.execute(
                    text(
                        "SELECT a.id FROM articles a JOIN versions v ON v.id = a.latest_version_id"
                        " WHERE v.title_norm LIKE :w OR v.body_norm LIKE :w"
                        " OR EXISTS (SELECT 1 FROM captions c WHERE c.version_id = v.id"
                        "  AND c.text_norm LIKE :w)"
                        " OR EXISTS (SELECT 1 FROM credits c WHERE c.version_id = v.id"
                        "  AND c.name_norm LIKE :w)"
                    ),
                    {"w": like},
                ).scalars()
            )
        assert _ids(arc, word) == scan, word


FILTERS: list[tuple[str | None, dict[str, object], set[int]]] = [
    ("疫情", {"site": "ntu"}, {4}),
    ("校", {"since": "2021-01-01"}, {3, 6}),
    ("校", {"until": "2020-12-31"}, {1, 2}),
    ("校", {"since": "2020-04-15", "until": "2021-01-10"}, {2, 6}),
    (None, {"author": "张三"}, {1, 5}),
    (None, {"author": "張三"}, {1, 5}),
    (None, {"author": "陳大文"}, {3}),
    (None, {"author": "李四"}, {2}),
    (None, {"author": "王五"}, set()),  # a photographer is not an author
    (None, {"unit": "组织部"}, {6}),
    (None, {"unit": "党委宣传部"}, {1}),
    (None, {"source": "圖書館"}, {4}),
    (None, {"source": "新闻"}, {2}),
    (None, {"roles": [("攝影", "林小華")]}, {3}),
    (None, {"roles": [("摄影", "王五")]}, {1}),
    (None, {"roles": [("责任编辑：", "赵六")]}, {1}),
    (None, {"roles": [("审核", "钱七"), ("记者", "李四")]}, {2}),
    (None, {"roles": [("审核", "钱七"), ("记者", "张三")]}, set()),
    ("疫情", {"site": "sdu", "author": "张三"}, {1, 5}),
    ("会议", {"site": "sdu", "until": "2020-12-31"}, {1}),
    ('疫情 -"防控 工作"', {"site": "sdu"}, {1}),  # re-checked query with a filter
]


def test_filters(arc: Archive) -> None:
    # One database for every case (a PostgreSQL database per case would be slow).
    got = [(query, filters, _ids(arc, query, **filters)) for query, filters, _ in FILTERS]
    assert got == FILTERS


def test_sort_by_date_and_pages(arc: Archive) -> None:
    newest_first = [6, 2, 1, 5]  # undated last
    page = search(arc, None, site="sdu", limit=2)
    assert (page.total, [h.article_id for h in page.hits]) == (4, newest_first[:2])
    page = search(arc, None, site="sdu", limit=2, offset=2)
    assert (page.total, [h.article_id for h in page.hits]) == (4, newest_first[2:])
    page = search(arc, "疫", sort="date", limit=3)
    assert (page.total, [h.article_id for h in page.hits]) == (4, [4, 2, 1])
    page = search(arc, '疫情 -"防控 工作"', sort="date", limit=1, offset=1)
    assert (page.total, [h.article_id for h in page.hits]) == (2, [1])


def test_default_sort_is_date(arc: Archive) -> None:
    assert search(arc, "疫") == search(arc, "疫", sort="date")
    assert [h.article_id for h in search(arc, "疫").hits] == [4, 2, 1, 5]
    assert all(h.score == 0.0 for h in search(arc, "疫").hits)


@pytest.mark.parametrize(
    ("query", "filters", "ids"),
    [
        ("疫", {}, [4, 2, 1, 5]),  # index-only path
        ("疫情", {"site": "sdu"}, [1, 5]),  # joined with a filter
        ('疫情 -"防控 工作"', {}, [4, 1]),  # re-checked
    ],
)
def test_count_limit(arc: Archive, query: str, filters: dict[str, str], ids: list[int]) -> None:
    exact = search(arc, query, **filters)
    assert (exact.total, exact.total_exact, [h.article_id for h in exact.hits]) == (
        len(ids),
        True,
        ids,
    )
    capped = search(arc, query, count_limit=1, **filters)
    # Counting stops; the page is the same.
    assert (capped.total, capped.total_exact, capped.hits) == (1, False, exact.hits)
    assert search(arc, query, count_limit=len(ids), **filters) == exact
    assert search(arc, query, count_limit=0, limit=1, **filters).hits == exact.hits[:1]


def test_month_counts_with_undated(arc: Archive) -> None:
    counts = search_month_counts(arc, "疫情")  # index-only path
    assert (counts.months, counts.undated) == ([("2020-03", 1), ("2021-12", 1)], 1)
    assert counts.total == search(arc, "疫情").total == 3
    counts = search_month_counts(arc, "疫情", site="sdu")  # joined
    assert (counts.months, counts.undated, counts.total) == ([("2020-03", 1)], 1, 2)
    counts = search_month_counts(arc, '疫情 -"防控 工作"')  # re-checked
    assert (counts.months, counts.undated) == ([("2020-03", 1), ("2021-12", 1)], 0)


def test_relevance_prefers_title_matches(arc: Archive) -> None:
    hits = search(arc, "图书馆 OR 疫情", sort="relevance").hits
    assert hits[0].article_id == 4  # 图书馆 in the title and 疫情 in the body
    assert all(h.score > 0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_hit_fields_and_snippet(arc: Archive) -> None:
    (hit,) = search(arc, "畢業典禮").hits
    assert (hit.article_id, hit.site, hit.date, hit.title, hit.url) == (
        3,
        "ntu",
        "2021-06-20",
        "學校舉行畢業典禮",
        "https://ntu.example.edu/news/3.htm",
    )
    # Matched on the Simplified text, shown in the article's own script.
    assert hit.snippet == "[畢業典禮]在體育館舉行，校長致辭。"
    (hit,) = search(arc, "十二点 疫情", mark=("<b>", "</b>")).hits
    assert hit.snippet == (
        "因應期末考試，圖書館延長開放時間至晚上<b>十二點</b>。<b>疫情</b>期間請配戴口罩。"
    )
    (hit,) = search(arc, "讲话").hits
    assert hit.snippet == (
        "3月1日，学校召开疫情防控工作会议。党委书记李明出席并[讲话]。 会议要求做好校园管理。"
    )


def test_counts_by_month(arc: Archive) -> None:
    assert search_counts_by_month(arc, "校") == [
        ("2020-03", 1),
        ("2020-04", 1),
        ("2021-01", 1),
        ("2021-06", 1),
    ]
    assert search_counts_by_month(arc, "疫情", site="sdu") == [("2020-03", 1)]  # 5 is undated
    assert search_counts_by_month(arc, '疫情 -"防控 工作"') == [("2020-03", 1), ("2021-12", 1)]
    assert search_counts_by_month(arc, None, site="ntu") == [("2021-06", 1), ("2021-12", 1)]


# query -> number of hits, or None for a QueryError. Never an SQL error.
HOSTILE: list[tuple[str, int | None]] = [
    ('"', None),
    ("*", None),
    ("NEAR(", None),
    ("NEAR(疫情 党)", 0),  # the words near, 疫情, 党: no article has "near"
    ("'; DROP TABLE articles; --", 0),
    ("疫情)", None),
    ("((疫情", None),
    ("x" * 10_000, None),
    ("OR", None),
    ("-疫情", None),
    ("col:疫情", 0),  # not a column filter: the text "col:疫情"
    ("title:疫情", 0),
    ("{title body}: 疫情", 0),
    ("疫情^", 3),  # punctuation around a word is dropped
    ("疫情 AND OR 党", 4),  # AND may be typed; OR still applies
    ('"疫情" "', None),
    ("\x00疫情\x00", 3),
    ("%", None),
    ("_", None),
    ("疫%", 4),  # % is not a wildcard
    ("疫_情", 0),  # _ is not a wildcard either
]


def test_hostile_queries_never_reach_sql_as_syntax(arc: Archive) -> None:
    got: list[tuple[str, int | None]] = []
    for query, _ in HOSTILE:
        try:
            got.append((query, search(arc, query).total))
        except QueryError:
            got.append((query, None))
    assert got == HOSTILE
    assert search(arc, "疫情").total == 3  # the archive is intact


def test_query_errors_and_bad_arguments(arc: Archive) -> None:
    cases = [
        ("", "empty query"),
        (None, "empty query"),
        ("x" * 501, "too long"),
        ("-党", "exclude"),
    ]
    for query, message in cases:
        with pytest.raises(QueryError, match=message):
            search(arc, query)
        with pytest.raises(QueryError, match=message):
            search_counts_by_month(arc, query)
    with pytest.raises(ValueError, match="sort must be"):
        search(arc, "党", sort="newest")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=">= 0"):
        search(arc, "党", limit=-1)


def test_index_follows_new_versions(arc: Archive) -> None:
    changed = replace(ARTICLES[3], body="闭馆通知。", body_norm="闭馆通知。")
    result = arc.store_article(changed)
    assert result.outcome == "changed"
    with arc.engine.begin() as conn:
        index_article(conn, result.article_id)
        index_article(conn, result.article_id)  # idempotent
    assert _ids(arc, "疫情") == {1, 5}
    assert _ids(arc, "闭馆") == {4}
    assert _ids(arc, "图书馆") == {4}  # still in the title
    assert reindex(arc) == 6
    assert _ids(arc, "疫情") == {1, 5}


def test_incremental_index_equals_a_rebuild(archive: Archive) -> None:
    # store_article indexes the text it has just written (not read back): a second version of
    # every article, captions and credits changed too, must leave exactly the rebuilt index.
    for a in ARTICLES:
        archive.store_article(a)
    for a in ARTICLES:
        changed = replace(
            a,
            body=a.body + "新增段落：校园开放日。",
            body_norm=a.body_norm + "新增段落：校园开放日。",
            captions=[CaptionIn(text="开放日现场", text_norm="开放日现场", image_url=None)],
            credits=[CreditIn(role="摄影", name="周八", role_norm="摄影", name_norm="周八")],
        )
        assert archive.store_article(changed).outcome == "changed"
    queries = ["开放日", "周八", "现场", "疫情", "畢業典禮", "张三", "王五", "十二点", "2020年"]
    incremental = [sorted(_ids(archive, q)) for q in queries]
    assert reindex(archive) == 6
    assert [sorted(_ids(archive, q)) for q in queries] == incremental
    assert incremental[:3] == [[1, 2, 3, 4, 5, 6]] * 3


def test_migration_indexes_existing_articles(archive: Archive) -> None:
    for a in ARTICLES[:3]:
        archive.store_article(a)
    with archive.engine.begin() as conn:
        add_search_index(conn)
    assert _ids(archive, "校") == {1, 2, 3}
    with archive.engine.connect() as conn:
        assert sorted(matching_versions(conn, "校", site="sdu")) == [(1, 1), (2, 2)]
        assert sorted(matching_versions(conn)) == [(1, 1), (2, 2), (3, 3)]


@pytest.mark.parametrize(
    ("body", "body_norm", "terms", "snippet"),
    [
        # Full-width Latin only matches once folded; shown as published.
        ("ＣＯＶＩＤ疫情", "ＣＯＶＩＤ疫情", [Term("covid")], "[ＣＯＶＩＤ]疫情"),
        # A Kangxi radical (U+2F42) folds to 文: Han terms still look past the quick check.
        ("校园⽂化节", "校园⽂化节", [Term("文化")], "校园[⽂化]节"),
        # No match in the body (the hit was in the title): the start of the body.
        ("第一段。\n第二段。", "第一段。\n第二段。", [Term("标题")], "第一段。 第二段。"),
        # Overlapping terms give one mark.
        ("疫情防控", "疫情防控", [Term("疫情"), Term("情防")], "[疫情防]控"),
        # Original and normalized differ in length: the normalized text is shown.
        ("乾隆年間", "乾隆年间x", [Term("年间")], "乾隆[年间]x"),
        # A long body: a window around the first match, with ellipses.
        (
            "甲" * 100 + "疫情" + "乙" * 100,
            "甲" * 100 + "疫情" + "乙" * 100,
            [Term("疫情")],
            "…" + "甲" * 30 + "[疫情]" + "乙" * 88 + "…",
        ),
    ],
)
def test_make_snippet(body: str, body_norm: str, terms: list[Term], snippet: str) -> None:
    assert make_snippet(body, body_norm, terms) == snippet


def test_folds_to_han_covers_every_code_point() -> None:
    # make_snippet skips folding a body without these characters: none may be missing.
    missing = [
        hex(cp)
        for cp in range(0x2E80, 0x110000)
        if not 0xD800 <= cp <= 0xDFFF
        and (folded := fold(chr(cp))) != chr(cp)
        and HAN_RUN.search(folded)
        and not FOLDS_TO_HAN.match(chr(cp))
    ]
    assert missing == []


def test_db_optimize_merges_the_index_and_keeps_results(archive: Archive) -> None:
    from click.testing import CliRunner

    from campusnews.cli import cli
    from campusnews.cli import commands as _commands  # noqa: F401  (registers the subcommands)

    for a in ARTICLES:  # one transaction each: the index grows by one segment per article
        archive.store_article(a)
    queries = ("疫情", "校", '"防控 工作"', "畢業典禮 OR 讲话")
    before = [search(archive, q, limit=100) for q in queries]
    sqlite = archive.engine.dialect.name == "sqlite"
    segments = "SELECT count(DISTINCT segid) FROM search_fts_idx"
    if sqlite:
        with archive.engine.connect() as conn:
            assert conn.execute(text(segments)).scalar_one() > 1
    result = CliRunner().invoke(cli, ["db", "optimize", "--db", archive.url])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("search index optimized in ")
    assert [search(archive, q, limit=100) for q in queries] == before
    assert [len(p.hits) for p in before] == [3, 4, 1, 2]
    if sqlite:
        with archive.engine.connect() as conn:
            assert conn.execute(text(segments)).scalar_one() == 1


@given(
    text=st.text(alphabet="疫情防控党校 ＡAa\n", max_size=60),
    word=st.text(alphabet="疫情防控党校", min_size=1, max_size=3),
)
def test_han_term_finder_equals_its_pattern(text: str, word: str) -> None:
    # make_snippet finds Han-only terms with str.find: the same places as the term's regex.
    term = Term(word)
    finder = _finder(term)
    assert finder.han_only
    pattern = term_pattern(term)
    first = pattern.search(text)
    assert finder.first(text) == (first.start() if first else -1)
    assert finder.spans(text) == [m.span() for m in pattern.finditer(text)]
