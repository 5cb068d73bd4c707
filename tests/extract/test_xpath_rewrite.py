"""Profile queries read from their last step select exactly what cssselect's chain selects."""

from __future__ import annotations

import random

import pytest
from lxml import etree

from campusnews.extract._page import parse_html
from campusnews.extract._profile import fast_xpath
from campusnews.extract._xpath import last_step_first
from campusnews.profiles import to_xpath

TAGS = ("div", "h1", "h2", "small", "figcaption", "p", "span", "ul", "li", "section")
CLASSES = ("a", "b", "a b", " a ", "ab", "")


def _tree(rng: random.Random, depth: int = 0) -> str:
    out = []
    for _ in range(rng.randint(0, 4 if depth < 4 else 0)):
        tag = rng.choice(TAGS)
        attrs = f' class="{rng.choice(CLASSES)}"' if rng.random() < 0.6 else ""
        attrs += f' id="{rng.choice("xy")}"' if rng.random() < 0.2 else ""
        out.append(f"<{tag}{attrs}>t{_tree(rng, depth + 1)}</{tag}>")
    return "".join(out)


def _selector(rng: random.Random) -> str:
    steps = []
    n = rng.randint(2, 3)
    for i in range(n):
        tag = rng.choice((*TAGS, "")) if i < n - 1 else rng.choice(("h1", "h2", "small"))
        extra = rng.choice(("", ".a", ".b", "#x", ":not(.a)", ":first-child", "[class^=a]"))
        steps.append(tag + extra or "*")
    return " ".join(steps)


@pytest.fixture(scope="module")
def pages() -> list[etree._Element]:
    rng = random.Random(9)
    return [parse_html(f"<html><body>{_tree(rng)}</body></html>") for _ in range(150)]


def test_same_elements_as_the_chain(pages):
    rng = random.Random(4)
    rewritten = 0
    for _ in range(150):
        selector = _selector(rng)
        chain = to_xpath(selector)
        ours = last_step_first(chain)
        rewritten += ours != chain
        original, fast = etree.XPath(chain), etree.XPath(fast_xpath(selector))
        for page in pages:
            assert fast(page) == original(page), selector
    assert rewritten > 50  # the test exercises the rewrite, not only the pass-through


@pytest.mark.parametrize(
    "path",
    [
        "descendant-or-self::div/descendant::h1[1]",  # positional
        "descendant-or-self::div[last()]/descendant::h1",
        "descendant-or-self::div[count(p) = 0]/descendant::h1",
        "descendant-or-self::div/descendant::h1[$v]",
        "descendant-or-self::div/child::h1",  # not a descendant chain
        "descendant-or-self::div/descendant::h1/following-sibling::h2",
        "descendant-or-self::div/descendant::li",  # a common last tag: cheaper as it is
        "//div//h1",
    ],
)
def test_left_alone(path):
    assert last_step_first(path) == path


def test_union_operands_each():
    assert last_step_first(
        "descendant-or-self::div[@a]/descendant::h1 | descendant-or-self::ul/descendant::li"
    ) == ("descendant::h1[ancestor::div[@a]] | descendant-or-self::ul/descendant::li")
