"""Rewriting a cssselect descendant chain to be evaluated from its last step.

cssselect turns ``div.a h1.b`` into ``descendant-or-self::div[A]/descendant::h1[B]``: libxml2
tests ``A`` on every ``div`` of the page and walks below each one that passes (nested ones
again). Read from the last step, ``descendant::h1[B][ancestor::div[A]]``, it tests ``B`` on
the page's few ``h1`` and ``A`` only on their ancestors. Evaluated from the document's root
element (as profile queries are), both give the same elements in the same order: the
ancestors of an element below the root are the root and the elements between, which is where
the first step looks. It pays only when the last step's tag is rare on a page (a headline,
a caption); where it is common (``div``, ``li``) the original order is cheaper and kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Tags a page holds few of: a chain ending in one is read from its end (fixture pages, one
# query: webplus title 11.5 -> 4.6 us, mirror title 7.5 -> 4.0, big5 caption 7.6 -> 3.1).
LAST_STEP_FIRST_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "small", "figcaption"})
FIRST_AXIS = "descendant-or-self::"
NEXT_AXIS = "/descendant::"
_NAME_RE = re.compile(r"[A-Za-z_][\w.-]*|\*")
_LITERAL_RE = re.compile(r"'[^']*'|\"[^\"]*\"")
# What could make a predicate depend on more than its node (its position among the step's
# nodes, which moving it to another axis would change): numbers and numeric functions,
# arithmetic, variables. Tested with string literals blanked; such a chain is left as is.
_CONTEXT_DEPENDENT_RE = re.compile(
    r"\d|\$|\+|\*|\bposition\(|\blast\(|\bcount\(|\bsum\(|\bnumber\(|\bfloor\(|\bceiling\("
    r"|\bround\(|\bstring-length\(|\bcurrent\(|\bdiv\b|\bmod\b|-\s|\s-"
)


def _top_level(path: str) -> Iterator[int]:
    """Positions in ``path`` outside brackets, parentheses and string literals; then, if
    those are not all closed at the end, ``-1``."""
    depth, quote = 0, ""
    for i, ch in enumerate(path):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif depth == 0:
            yield i
    if depth or quote:
        yield -1


def split_top_level(path: str, sep: str) -> list[str]:
    """``path`` split at the occurrences of ``sep`` outside predicates and literals.

    >>> split_top_level("a[@x = 'p | q'] | b", " | ")
    ["a[@x = 'p | q']", 'b']
    """
    parts, start = [], 0
    for i in _top_level(path):
        if i >= start and path.startswith(sep, i):  # (never at -1: sep is not empty)
            parts.append(path[start:i])
            start = i + len(sep)
    parts.append(path[start:])
    return parts


def _step(text: str) -> tuple[str, str] | None:
    """``(name, predicates)`` of a step ``name[…][…]`` whose predicates are node-only tests."""
    m = _NAME_RE.match(text)
    if m is None:
        return None
    preds = text[m.end() :]
    if preds and (
        preds[0] != "["
        or next(_top_level(preds), None) is not None  # something outside the brackets
        or _CONTEXT_DEPENDENT_RE.search(_LITERAL_RE.sub("''", preds))
    ):
        return None
    return m[0], preds


def last_step_first(path: str) -> str:
    """``path`` read from its last step when it is a descendant chain ending in a rare tag
    (see the module docstring); anything else is returned as is.

    >>> last_step_first("descendant-or-self::div[@class = 'a']/descendant::h1[@id]")
    "descendant::h1[@id][ancestor::div[@class = 'a']]"
    >>> last_step_first("descendant-or-self::ul[@a]/descendant::li[@b]")
    'descendant-or-self::ul[@a]/descendant::li[@b]'
    >>> last_step_first("descendant-or-self::div/descendant::h1[2]")
    'descendant-or-self::div/descendant::h1[2]'
    """
    operands = split_top_level(path, " | ")
    if len(operands) > 1:
        return " | ".join(last_step_first(op) for op in operands)
    if not path.startswith(FIRST_AXIS):
        return path
    texts = split_top_level(path[len(FIRST_AXIS) :], NEXT_AXIS)
    steps = [_step(t) for t in texts]
    if len(steps) < 2 or None in steps:
        return path
    *outer, last = steps
    assert last is not None
    if last[0] not in LAST_STEP_FIRST_TAGS:
        return path
    condition = ""
    for step in outer:
        assert step is not None
        condition = f"[ancestor::{step[0]}{step[1]}{condition}]"
    return f"descendant::{last[0]}{last[1]}{condition}"
