"""The query language and bigram tokens (pure: no database)."""

from __future__ import annotations

import pytest

from archive.query import (
    MAX_QUERY_CHARS,
    And,
    Not,
    Or,
    Term,
    compile_fts,
    compile_tsquery,
    fold,
    is_exact,
    matches,
    needs_check,
    parse_query,
    term_fts,
    tokenize_for_index,
)
from campusnews.exceptions import QueryError


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("党", "党"),
        ("疫情", "疫情 情"),
        ("新冠疫情", "新冠 冠疫 疫情 情"),
        ("入党。党员", "入党 党 党员 员"),
        ("COVID-19疫情", "covid 19 疫情 情"),
        ("ＳＤＵ新闻网", "sdu 新闻 闻网 网"),
        ("山东大学_news", "山东 东大 大学 学 news"),
        ("", ""),
        ("，。！", ""),
        ("二〇二〇年", "二〇 〇二 二〇 〇年 年"),
    ],
)
def test_tokenize_for_index(text: str, tokens: str) -> None:
    assert tokenize_for_index(text) == tokens


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("党", Term("党")),
        ("黨", Term("党")),
        ("疫情 防控", And((Term("疫情"), Term("防控")))),
        ("疫情 AND 防控", And((Term("疫情"), Term("防控")))),
        ("疫情 OR 黨", Or((Term("疫情"), Term("党")))),
        ("疫情 -党", And((Term("疫情"), Not(Term("党"))))),
        ("疫情 NOT 党", And((Term("疫情"), Not(Term("党"))))),
        ('疫情 -"党 委"', And((Term("疫情"), Not(Term("党 委", phrase=True))))),
        ('"新聞  網"', Term("新闻 网", phrase=True)),
        ("“新冠 疫情”", Term("新冠 疫情", phrase=True)),
        ("(党 OR 校) 会议", And((Or((Term("党"), Term("校"))), Term("会议")))),
        ("会议 -(党 OR 校)", And((Term("会议"), Not(Or((Term("党"), Term("校"))))))),
        ("校* 疫情，", And((Term("校"), Term("疫情")))),
        ("ＣＯＶＩＤ", Term("covid")),
        ("COVID-19", Term("covid-19")),
        ("疫情 - 党", And((Term("疫情"), Term("党")))),  # a detached dash is punctuation
        ("or", Term("or")),  # lower case: a word, not the operator
    ],
)
def test_parse(query: str, tree: object) -> None:
    assert parse_query(query) == tree


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty query"),
        ("   ", "empty query"),
        ("a" * (MAX_QUERY_CHARS + 1), "query too long"),
        ('"疫情', "unbalanced quote"),
        ('疫情 "', "unbalanced quote"),
        ("(疫情", "unbalanced parentheses"),
        ("疫情)", "unbalanced parentheses"),
        ("NEAR(疫情", "unbalanced parentheses"),
        ("OR", "nothing to search for"),
        ("疫情 OR", "OR needs a word"),
        ("OR 疫情", "OR needs a word"),
        ("疫情 OR OR 党", "OR needs a word"),
        ("()", "nothing to search for"),
        ("疫情 ()", "OR needs a word"),
        ("-疫情", "cannot only exclude"),
        ("-疫情 -党", "cannot only exclude"),
        ("疫情 OR -党", "cannot only exclude"),
        ('""', "empty phrase"),
        ("*", "nothing to search for"),
        ("，。", "nothing to search for"),
    ],
)
def test_malformed_queries_raise(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_query(query)


@pytest.mark.parametrize(
    ("query", "fts", "tsquery"),
    [
        ("党", '"党"*', "'党':*"),
        ("疫情", '"疫情"', "'疫情'"),
        ("疫情防控", '"疫情 情防 防控"', "('疫情' & '情防' & '防控')"),
        ("2020年", '"2020 年"*', "('2020' & '年':*)"),
        ("2020年度", '"2020 年度"', "('2020' & '年度')"),
        ("疫情 -党", '"疫情" NOT "党"*', "'疫情' & !'党':*"),
        ("疫情 OR 党", '"疫情" OR "党"*', "'疫情' | '党':*"),
        # A loose negation is left to the exact re-check rather than excluding true matches.
        ('疫情 -"防控 工作"', '"疫情"', "'疫情'"),
        ("(党 OR 校) 会议", '("党"* OR "校"*) AND "会议"', "('党':* | '校':*) & '会议'"),
        ('NEAR ^ : col:疫情 "a""b"', '"near"* AND "col 疫情" AND "a"* AND "b"*', None),
    ],
)
def test_compile(query: str, fts: str, tsquery: str | None) -> None:
    node = parse_query(query)
    assert compile_fts(node) == fts
    if tsquery is not None:
        assert compile_tsquery(node) == tsquery


def test_every_token_is_quoted() -> None:
    # Whatever the user types, FTS5 sees only quoted strings, operators we wrote, and parens.
    hostile = '\'; DROP TABLE articles; -- NEAR(a b) {title}: ^x "*" OR'
    fts = compile_fts(parse_query(hostile.replace('"*"', "").rstrip(" OR")))
    assert fts == (
        '"drop"* AND "table"* AND "articles"* AND "near"* AND ("a"* AND "b"*) AND "title"* AND "x"*'
    )


@pytest.mark.parametrize(
    ("term", "fts"),
    [(Term("校"), '"校"*'), (Term("学校"), '"学校"'), (Term("a年b"), '"a 年 b"*')],
)
def test_term_fts(term: Term, fts: str) -> None:
    assert term_fts(term) == fts


def test_exactness() -> None:
    assert is_exact(parse_query("疫情防控 OR 党 -校"))
    assert not is_exact(parse_query("疫情防控"), positional=False)  # tsvector: token sets
    assert needs_check(parse_query("2020年"))
    assert needs_check(parse_query('"防控 工作"'))


@pytest.mark.parametrize(
    ("query", "fields", "expected"),
    [
        ("疫情", ["新冠疫情"], True),
        ("疫情 -党", ["疫情", "党委"], False),  # exclusion looks at every field
        ("疫情 OR 党", ["党委"], True),
        ("cov", ["COVID-19"], True),
        ("ovid", ["COVID-19"], False),  # Latin words match from their start only
        ("19", ["COVID-19"], True),
        ("年", ["2020年"], True),
        ("covid", ["新冠covid"], True),  # a Han char is a word boundary for Latin
        ('"防控 工作"', ["防控 工作"], True),
        ('"防控 工作"', ["防控工作"], False),
        ("会议现场", ["会议", "现场"], False),  # never across fields
    ],
)
def test_matches(query: str, fields: list[str], expected: bool) -> None:
    assert matches(parse_query(query), [fold(f) for f in fields]) is expected
