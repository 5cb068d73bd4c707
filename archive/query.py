"""The search query language and the CJK bigram tokens it runs on (pure: no database).

A query is words separated by spaces, all required (AND, which may also be typed);
``"quoted phrases"``; ``OR`` between alternatives; ``-word`` (or ``NOT word``) to exclude;
parentheses to group. Operators are upper case; everything else is searched for as text.
Words may be one character long (``党``, ``校``) and in either script: each word is
NFKC-folded, lowercased and, when it reads as Traditional, converted to Simplified, exactly as
the archived text was.

The index holds *bigram tokens*: every pair of adjacent Han characters, plus the last Han
character of each run as a unigram, so a one-character word is the prefix query ``"党"*`` and
a longer word is the phrase of its overlapping pairs. Latin letters and digits are whole
lowercase words. A compiled query is an FTS5 MATCH string in which every token is quoted, so
nothing the user types can become FTS syntax; the caller binds it as a parameter.

Semantics (identical for the index and the exact re-check): a word matches a field when it
occurs in it as a substring of the folded text; a word that starts with a Latin letter or digit
must also start a word there (``cov`` finds ``COVID``, ``ovid`` does not).

>>> q = parse_query('疫情 "防控 工作" -演练')
>>> compile_fts(q)
'"疫情" AND "防控 控 工作" NOT "演练"'
>>> compile_fts(parse_query("黨 OR 校*"))
'"党"* OR "校"*'
"""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

from campusnews.exceptions import QueryError
from campusnews.normalize.script import detect_script, to_simplified

MAX_QUERY_CHARS = 500

# Han ideographs (unified, extension A, compatibility, supplementary planes) and 〇 (U+3007).
_HAN_CLASS = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
# A run of Han characters, or a run of other letters/digits (underscore is a separator, as in
# FTS5's unicode61 tokenizer).
_TOKEN_RUN = re.compile(rf"[{_HAN_CLASS}]+|[^\W_{_HAN_CLASS}]+")
HAN_RUN = re.compile(rf"[{_HAN_CLASS}]+")
_HAN_RUN = HAN_RUN
# What the query lexer sees: parentheses, a quoted phrase (ASCII or Chinese quotes), a bare word.
# A leading "-" negates only when attached to what follows (``-word``, ``-"phrase"``, ``-(``).
_QUERY_LEXEME = re.compile(
    r'\s*(?P<neg>-)?(?:(?P<paren>[()])|(?P<quote>["“”])|(?P<word>[^\s()"“”]+))'
)
_WHITESPACE_RUN = re.compile(r"\s+")
_ANY_SPACE = re.compile(r"\s")
# Punctuation around a bare word (``校*``, ``疫情,``): not part of what the user searches for.
_EDGE_PUNCT = re.compile(rf"^[^{_HAN_CLASS}\w]+|[^{_HAN_CLASS}\w]+$|^_+|_+$")
# A letter or digit that is not Han: a Latin-initial word must not follow one of these.
_LATIN_BEFORE = rf"(?<![^\W_{_HAN_CLASS}])"


def fold(text: str) -> str:
    """NFKC, case-folded, whitespace as single spaces: the form both text and query are matched in.

    Length-preserving whenever possible, so positions found in the folded text also point into
    the text it came from (used for snippets).

    >>> fold("ＣＯＶＩＤ－１９\\n疫情")
    'covid-19 疫情'
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    if len(folded) != len(text):
        # Rare (ligatures, ß): fold per character where that keeps one character.
        chars = []
        for ch in text:
            f = unicodedata.normalize("NFKC", ch).casefold()
            chars.append(f if len(f) == 1 else ch)
        folded = "".join(chars)
    return _ANY_SPACE.sub(" ", folded)


def normalize_term(text: str) -> str:
    """Fold one query word or phrase; convert it to Simplified when it reads as Traditional.

    >>> normalize_term("黨"), normalize_term("疫情"), normalize_term("ＳＤＵ  News")
    ('党', '疫情', 'sdu news')
    """
    text = _WHITESPACE_RUN.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    if detect_script(text) == "hant":
        text = to_simplified(text)
    return fold(text)


def tokenize_for_index(text: str) -> str:
    """Space-separated index tokens of already-Simplified text: Han bigrams, the last Han
    character of each run as a unigram, Latin/digit runs as whole lowercase words.

    >>> tokenize_for_index("新冠疫情，党。COVID-19 防控")
    '新冠 冠疫 疫情 情 党 covid 19 防控 控'
    """
    out: list[str] = []
    for run in _TOKEN_RUN.findall(fold(text)):
        if _HAN_RUN.match(run):
            if len(run) > 1:
                out.append(" ".join(map(operator.add, run[:-1], run[1:])))
            out.append(run[-1])
        else:
            out.append(run)
    return " ".join(out)


@dataclass(frozen=True, slots=True)
class Term:
    """One word or phrase, normalized; ``exact`` when the index alone decides it."""

    text: str
    phrase: bool = False

    @property
    def runs(self) -> list[str]:
        return _TOKEN_RUN.findall(self.text)

    @property
    def exact(self) -> bool:
        # One run of Han or one Latin word: the index answers it exactly (see module docstring).
        runs = self.runs
        return len(runs) == 1 and runs[0] == self.text


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


Node: TypeAlias = Term | Not | And | Or


def _lex(query: str) -> list[tuple[str, str]]:
    """``[(kind, value)]`` with kinds ``(``, ``)``, ``OR``, ``-``, ``word``, ``phrase``."""
    out: list[tuple[str, str]] = []
    pos = 0
    query = query.rstrip()
    while pos < len(query):
        m = _QUERY_LEXEME.match(query, pos)
        if m is None:  # only trailing whitespace is left
            break
        pos = m.end()
        if m.group("neg"):
            out.append(("-", ""))
        if m.group("paren"):
            out.append((m.group("paren"), ""))
        elif m.group("quote"):
            end = _closing_quote(query, pos)
            if end < 0:
                raise QueryError('unbalanced quote: every " needs a closing "')
            out.append(("phrase", query[pos:end]))
            pos = end + 1
        elif m.group("word") == "OR" and not m.group("neg"):
            out.append(("OR", ""))
        elif m.group("word") == "AND" and not m.group("neg"):
            continue  # AND is the default; accepted for people who type it
        elif m.group("word") == "NOT" and not m.group("neg"):
            out.append(("-", ""))
        else:
            word = _EDGE_PUNCT.sub("", m.group("word"))
            if word:
                out.append(("word", word))
            elif m.group("neg"):
                out.pop()  # "-*": nothing to exclude
    return out


def _closing_quote(query: str, start: int) -> int:
    for i in range(start, len(query)):
        if query[i] in '"“”':
            return i
    return -1


class _Parser:
    def __init__(self, lexemes: list[tuple[str, str]]) -> None:
        self.lex = lexemes
        self.i = 0

    def peek(self) -> str | None:
        return self.lex[self.i][0] if self.i < len(self.lex) else None

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise QueryError("unbalanced parentheses: a ')' has no matching '('")
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.peek() == "OR":
            self.i += 1
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items: list[Node] = []
        while self.peek() not in (None, "OR", ")"):
            item = self.unary()
            if item is not None:
                items.append(item)
        if not items:
            raise QueryError("OR needs a word on both sides, and () must contain a word")
        if all(isinstance(item, Not) for item in items):
            raise QueryError("a query cannot only exclude: add a word to search for")
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Node | None:
        kind, value = self.lex[self.i]
        self.i += 1
        if kind == "-":
            if self.peek() in (None, "OR", ")"):
                return None
            item = self.unary()
            return None if item is None else Not(item)
        if kind == "(":
            node = self.or_expr()
            if self.peek() != ")":
                raise QueryError("unbalanced parentheses: a '(' is never closed")
            self.i += 1
            return node
        if kind == ")":  # pragma: no cover - and_expr stops before ')'
            raise QueryError("unbalanced parentheses")
        text = normalize_term(value)
        if not _TOKEN_RUN.search(text):
            if kind == "phrase" and not text:
                raise QueryError('empty phrase: "" has nothing to search for')
            return None  # punctuation only: nothing searchable, ignored like a search engine does
        return Term(text, phrase=kind == "phrase")


def parse_query(query: str) -> Node:
    """Parse a user query into a tree of :class:`Term`, :class:`Not`, :class:`And`, :class:`Or`.

    Raises :class:`~campusnews.exceptions.QueryError` with a message fit for the user when the
    query is empty, too long, has unbalanced quotes or parentheses, a dangling ``OR``, or only
    exclusions.

    >>> parse_query('學校 -"新聞 網"')
    And(items=(Term(text='学校', phrase=False), Not(item=Term(text='新闻 网', phrase=True))))
    """
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long: {len(query)} characters (at most {MAX_QUERY_CHARS})")
    if not query.strip():
        raise QueryError("empty query: type a word to search for")
    lexemes = _lex(query)
    if not any(kind in ("word", "phrase") for kind, _ in lexemes):
        raise QueryError("nothing to search for: use letters, digits or Chinese characters")
    return _Parser(lexemes).parse()


def _quote(tokens: list[str]) -> str:
    # FTS5 string: a doubled quote is a literal quote (tokens never hold one; belt and braces).
    return '"' + " ".join(tokens).replace('"', '""') + '"'


def term_tokens(term: Term) -> tuple[list[str], bool]:
    """The index tokens a term must show in sequence, and whether the last is a prefix.

    A run followed by another keeps its end-of-run unigram (the index has one there); the last
    run does not (the text may go on), and a last lone Han char or Latin word is a prefix.

    >>> term_tokens(Term("党")), term_tokens(Term("新冠疫情")), term_tokens(Term("2020年"))
    ((['党'], True), (['新冠', '冠疫', '疫情'], False), (['2020', '年'], True))
    """
    runs = term.runs
    tokens: list[str] = []
    prefix = False
    for i, run in enumerate(runs):
        last = i == len(runs) - 1
        if _HAN_RUN.fullmatch(run) and len(run) > 1:
            tokens.extend(run[j : j + 2] for j in range(len(run) - 1))
            if not last:
                tokens.append(run[-1])
        else:
            tokens.append(run)
            prefix = last
    return tokens, prefix


def term_fts(term: Term) -> str:
    """The FTS5 expression for one term: a phrase of its tokens (exact, see the module docstring).

    >>> term_fts(Term("党")), term_fts(Term("新冠疫情")), term_fts(Term("2020年"))
    ('"党"*', '"新冠 冠疫 疫情"', '"2020 年"*')
    """
    tokens, prefix = term_tokens(term)
    return _quote(tokens) + ("*" if prefix else "")


def term_tsquery(term: Term) -> str:
    """The PostgreSQL tsquery for one term: its tokens ANDed (the tsvector has no positions).

    >>> term_tsquery(Term("党")), term_tsquery(Term("新冠疫情"))
    ("'党':*", "('新冠' & '冠疫' & '疫情')")
    """
    tokens, prefix = term_tokens(term)
    quoted = ["'" + t.replace("'", "''") + "'" for t in tokens]
    if prefix:
        quoted[-1] += ":*"
    return quoted[0] if len(quoted) == 1 else "(" + " & ".join(quoted) + ")"


def compile_fts(node: Node) -> str:
    """The FTS5 MATCH string for a parsed query: a superset of the exact matches.

    Terms the index cannot decide exactly are kept when positive (their FTS form is looser) and
    dropped when negated (excluding on a loose form would lose matches); :func:`needs_check`
    then tells the caller to re-check candidates with :func:`matches`.
    """
    out = _compile(node, _FTS)
    if out is None:  # pragma: no cover - parse_query guarantees a positive term
        raise QueryError("a query cannot only exclude: add a word to search for")
    return out


def compile_tsquery(node: Node) -> str:
    """The PostgreSQL ``tsquery`` text for a parsed query (cast, never parsed by a config).

    >>> compile_tsquery(parse_query("党 OR 疫情 -演练"))
    "'党':* | ('疫情' & !'演练')"
    """
    out = _compile(node, _TSQUERY)
    if out is None:  # pragma: no cover - parse_query guarantees a positive term
        raise QueryError("a query cannot only exclude: add a word to search for")
    return out


@dataclass(frozen=True, slots=True)
class _Syntax:
    term: Callable[[Term], str]
    and_: str
    not_: str  # binary in FTS5 ("a NOT b"), a prefix in tsquery ("a & !b")
    or_: str
    positional: bool  # phrases are exact (FTS5), or only token sets (tsquery)


_FTS = _Syntax(term_fts, " AND ", " NOT ", " OR ", positional=True)
_TSQUERY = _Syntax(term_tsquery, " & ", " & !", " | ", positional=False)


def _compile(node: Node, syn: _Syntax) -> str | None:
    if isinstance(node, Term):
        return syn.term(node)
    if isinstance(node, Or):
        parts = [_compile(item, syn) for item in node.items]
        if any(p is None for p in parts):
            return None
        return syn.or_.join(_wrap(p) for p in parts if p is not None)
    if isinstance(node, And):
        pos = [_compile(i, syn) for i in node.items if not isinstance(i, Not)]
        # Excluding is safe only on an exact form: a loose one would exclude true matches.
        neg = [
            _compile(i.item, syn)
            for i in node.items
            if isinstance(i, Not) and is_exact(i.item, positional=syn.positional)
        ]
        pos_s = [p for p in pos if p is not None]
        if not pos_s:
            return None
        out = syn.and_.join(_wrap(p) for p in pos_s)
        for n in neg:
            if n is not None:
                out += syn.not_ + _wrap(n)
        return out
    return None  # a bare Not (cannot happen at top level: parse_query rejects it)


def _wrap(expr: str) -> str:
    # Tokens are letters and digits only, so one quoted token group (with an optional prefix
    # mark) is an atom; anything else gets parentheses.
    for q in ('"', "'"):
        if expr.startswith(q) and expr.count(q) == 2 and expr.rstrip("*:").endswith(q):
            return expr
    return f"({expr})"


def is_exact(node: Node, *, positional: bool = True) -> bool:
    """True when the index expression alone gives exactly the matching articles.

    With ``positional`` (FTS5 phrases) any one-run term is exact; without (PostgreSQL token
    sets) only a term of a single token is.
    """
    if isinstance(node, Term):
        return node.exact and (positional or len(term_tokens(node)[0]) == 1)
    if isinstance(node, Not):
        return is_exact(node.item, positional=positional)
    return all(is_exact(item, positional=positional) for item in node.items)


def needs_check(node: Node, *, positional: bool = True) -> bool:
    """True when candidates from the index must be re-checked with :func:`matches`."""
    return not is_exact(node, positional=positional)


@functools.lru_cache(maxsize=1024)  # every snippet of a page asks again
def term_pattern(term: Term) -> re.Pattern[str]:
    """Regex finding the term in folded text (Latin-initial terms only at a word start)."""
    boundary = "" if _HAN_RUN.match(term.text) else _LATIN_BEFORE
    # IGNORECASE: a no-op on folded text, and lets snippets look at unfolded text first.
    return re.compile(boundary + re.escape(term.text), re.IGNORECASE)


def matches(node: Node, fields: list[str]) -> bool:
    """Exact evaluation of a parsed query on the folded fields of one article (see :func:`fold`).

    >>> matches(parse_query("2020年 -演练"), [fold("2020年工作"), fold("无")])
    True
    >>> matches(parse_query("2020年"), [fold("2020 年")])
    False
    """
    if isinstance(node, Term):
        pattern = term_pattern(node)
        return any(pattern.search(f) for f in fields)
    if isinstance(node, Not):
        return not matches(node.item, fields)
    if isinstance(node, And):
        return all(matches(item, fields) for item in node.items)
    return any(matches(item, fields) for item in node.items)


def positive_terms(node: Node) -> list[Term]:
    """The terms a hit contains (for snippet marks), in query order."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return []
    return [t for item in node.items for t in positive_terms(item)]
