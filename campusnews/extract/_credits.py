"""Editorial credit lines: role/name pairs in the dozen formats campus pages use.

Three readers share one vocabulary of roles:

* :func:`parse_credit_line` — a whole line that is nothing but credits
  (``【供稿单位:组织部 威海校区党工委  作者:组文】``, ``编辑：张三 李四``,
  ``(责编：汤诗瑶、丁涛)``);
* :func:`strip_inline_credits` — credit parentheses inside a body line
  (``南开新闻网讯（通讯员 张娅彭）为…``, ``（编译/林靖东）``, a trailing
  ``本报记者黄世宏``);
* :func:`find_labelled_credits` — ``作者：X`` fields inside a meta line that also holds
  other things.
"""

from __future__ import annotations

import re

from campusnews.extract.types import Credit

_S2T = str.maketrans(
    "编辑责摄审终记讯员对单图译论发复稿执约实见习组划监视设计翻统筹华闻报刊网驻职来",
    "編輯責攝審終記訊員對單圖譯論發復稿執約實見習組劃監視設計翻統籌華聞報刊網駐職來",
)

# Roles as printed (Simplified); Traditional forms are derived below. Longest first matters.
_ROLES = [
    "供稿单位",
    "责任编辑",
    "责任校对",
    "执行编辑",
    "值班编辑",
    "特约通讯员",
    "摄影记者",
    "特约记者",
    "见习记者",
    "实习记者",
    "本文作者",
    "通讯员",
    "评论员",
    "撰稿人",
    "作者",
    "文字",
    "摄影",
    "图片",
    "编辑",
    "责编",
    "审核",
    "审稿",
    "审校",
    "初审",
    "复审",
    "终审",
    "一审",
    "二审",
    "三审",
    "供稿",
    "撰稿",
    "记者",
    "校对",
    "排版",
    "美编",
    "编译",
    "文案",
    "统筹",
    "策划",
    "监制",
    "供图",
    "视频",
    "设计",
    "翻译",
    "整理",
    "出品",
    "文图",
    "图文",
    "文",
    "图",
    "摄",
]
_SHORT_ROLES = frozenset({"文", "图", "摄", "文图", "图文"})  # need an explicit : or /
_PERSON_ROLES = frozenset({"记者", "通讯员", "摄影记者", "评论员", "特约记者", "特约通讯员"})


def _alternation(words: list[str]) -> str:
    forms = set(words) | {w.translate(_S2T) for w in words} | {w.replace("复", "複") for w in words}
    return "|".join(sorted(map(re.escape, forms), key=len, reverse=True))


_ROLE_ALT = _alternation(_ROLES)
_SOURCE_ALT = _alternation(["稿件来源", "信息来源", "文章来源", "新闻来源", "来源"])
# Outlet or staff descriptors printed before a person role: 本报记者, 中青报·中青网记者, 职工通讯员.
_DESCRIPTOR = (
    r"(?:本报|本刊|本台|本网|新华社|中新社|新华网|人民网|半月谈|中青报·中青网|中青网|中青报"
    r"|新闻中心|学生|职工|特约|实习|见习|驻[\u4e00-\u9fff]{1,4}|校报|新闻网)*"
)
_DESCRIPTOR_T = _DESCRIPTOR.translate(_S2T)
_ROLE_GROUP = rf"(?:{_ROLE_ALT})(?:\s*[/／、]\s*(?:{_ROLE_ALT}))*"

# A role label at a boundary: descriptor? role(s) then ":" / "︱" / "/" / white space.
CREDIT_LABEL_RE = re.compile(
    rf"(?:^|(?<=[\s,，;；|｜【\[（(]))(?:{_DESCRIPTOR}|{_DESCRIPTOR_T})"
    rf"(?P<role>{_ROLE_GROUP}|{_SOURCE_ALT}|发布者|發布者)"
    r"(?P<sep>\s*[:：︱|｜]\s*|\s*[/／]\s*|\s+|$)"
)
# The same inside parentheses, where a person role may be glued to the name: （记者唐霁）.
GLUED_ROLE_RE = re.compile(
    rf"^(?:{_DESCRIPTOR}|{_DESCRIPTOR_T})(?P<role>记者|記者|通讯员|通訊員|评论员|評論員|摄影记者|攝影記者)"
    r"(?P<name>[\u4e00-\u9fff]{2,4}(?:\s+[\u4e00-\u9fff]{2,4})*)$"
)
# 作者：X inside a meta line: value runs to the next gap, label or date.
META_CREDIT_RE = re.compile(rf"(?P<role>{_ROLE_GROUP})\s*[:：]\s*")
META_STOP_RE = re.compile(
    rf"\x1f|(?:{_ROLE_ALT}|{_SOURCE_ALT}|发布|發布|时间|時間|日期|点击|點擊|浏览|瀏覽|阅读|閱讀|字号|字號"
    r"|访问|訪問|人气|人氣|次数|次數|【|】|\[|\]|\||\d{4}[-/.年]\d)"
)
# Widget buttons printed before an editor line: 【纠错】 责任编辑：尹世杰
WIDGET_PREFIX_RE = re.compile(
    r"^(?:\s*[【\[]\s*(?:纠错|糾錯|打印|关闭|關閉|收藏|返回)\s*[】\]])+\s*"
)
# A Taiwan-style dateline after the reporter: 記者 王小明／台北報導 (the place is not a name).
DATELINE_SUFFIX_RE = re.compile(r"\s*[/／]\s*[\u4e00-\u9fff]{1,8}(?:報導|报导|報道|报道|電|电)\s*$")
ENCLOSED_RE = re.compile(r"^\s*[【\[（(〔]\s*(?P<inner>.*?)\s*[】\]）)〕]\s*$")
INLINE_PAREN_RE = re.compile(r"[【\[（(〔](?P<inner>[^【】\[\]（）()〔〕]{2,80})[】\]）)〕]")
TRAILING_REPORTER_RE = re.compile(
    r"(?<=[。！？”\"」』])[\s\ue000-\uf8ff]*(?P<desc>本报|本刊|本台|本網|本网)?(?P<role>记者|記者|通讯员|通訊員)"
    r"\s*(?P<name>[\u4e00-\u9fff]{2,4})$"
)
# TRAILING_REPORTER_RE's role group, as literals: a line holding none of them cannot match,
# and this search (re skips to the roles' first chars) is far cheaper than the lookbehind
# tried at every position, and than four substring tests in a generator.
_REPORTER_ROLE_RE = re.compile("记者|記者|通讯员|通訊員")
# A name-first photo credit line: 新华社发（刘满仓摄）, 李尕 摄, 新华社记者 燕雁 摄.
PHOTO_CREDIT_LINE_RE = re.compile(
    r"^(?:新华社(?:记者|發|发)?|[\u4e00-\u9fff]{0,8}记者)?\s*[（(]?\s*[\u4e00-\u9fff·]{2,8}\s*(?:摄|攝|供图|供圖)\s*[）)]?$"
)
# A name-first unit credit opening a credit line: 医技药剂党支部、药剂科供稿.
NAME_FIRST_RE = re.compile(r"^(?P<names>[^\s:：]{2,30}?)\s*(?P<role>供稿|供图|供圖)$")
NAME_SPLIT_RE = re.compile(r"[、，,；;/／|｜]+")
NAME_BAD_RE = re.compile(r"[。！？：:\d（）()《》“”\"%@#]|[a-z]{12,}|http", re.I)
ROLE_SPLIT_RE = re.compile(r"\s*[/／、]\s*")
SINGLE_HAN_RE = re.compile(r"^[\u4e00-\u9fff]$")
DESCRIPTOR_TOKEN_RE = re.compile(
    rf"^(?:{_DESCRIPTOR}|{_DESCRIPTOR_T})(?:{_ROLE_ALT})$|^[\u4e00-\u9fff]{{2,20}}(?:学生|學生|教师|教師|老师|老師|教授)$"
)
ROLE_PREFIX_RE = re.compile(
    rf"^(?:{_DESCRIPTOR}|{_DESCRIPTOR_T})(?:记者|記者|通讯员|通訊員)(?=[\u4e00-\u9fff]{{2,4}}$)"
)
_NOT_NAMES = frozenset({"佚名", "未知", "匿名", "admin", "管理员", "管理員"})
_SOURCE_ROLES = frozenset(
    {"来源", "來源", "稿件来源", "稿件來源", "信息来源", "信息來源", "文章来源", "文章來源"}
    | {"新闻来源", "新聞來源", "发布者", "發布者"}
)
# A role with its descriptor (新闻中心学生摄影记者); a bare label line (责任编辑：).
DESCRIBED_ROLE_RE = re.compile(rf"(?:{_DESCRIPTOR}|{_DESCRIPTOR_T})(?P<r>{_ROLE_ALT})")
EMPTY_LABEL_RE = re.compile(rf"\s*[【\[]?\s*(?P<role>{_ROLE_ALT})\s*[:：]\s*")
_DESCRIPTOR_PREFIX_RE = re.compile(rf"^(?:{_DESCRIPTOR}|{_DESCRIPTOR_T})")


def core_role(role: str) -> str:
    """The role without an outlet/staff descriptor.

    >>> core_role("新闻中心学生摄影记者"), core_role("职工通讯员"), core_role("本文作者")
    ('摄影记者', '通讯员', '本文作者')
    """
    m = DESCRIBED_ROLE_RE.fullmatch(role)
    return m.group("r") if m else role


def split_names(value: str) -> list[str] | None:
    """Names in a credit value; None when the value does not look like names.

    A two- or three-character name padded with alignment spaces stays one person.

    >>> split_names("王乐文 方 敏")
    ['王乐文', '方敏']
    >>> split_names("组织部 威海校区党工委")
    ['组织部', '威海校区党工委']
    >>> split_names("本报记者 章红雨、李婧璇")
    ['章红雨', '李婧璇']
    >>> split_names("会议室（533）") is None
    True
    """
    names: list[str] = []
    for part in NAME_SPLIT_RE.split(value):
        tokens = part.split()
        merged: list[str] = []
        run: list[str] = []
        for tok in [*tokens, ""]:
            if tok and SINGLE_HAN_RE.match(tok):
                run.append(tok)
                continue
            if run:
                merged.extend(["".join(run)] if 2 <= len(run) <= 3 else run)
                run = []
            if tok:
                merged.append(tok)
        for i, tok in enumerate(merged):
            if DESCRIPTOR_TOKEN_RE.match(tok) and (i + 1 < len(merged) or len(merged) == 1):
                continue  # 本报记者 / 复旦大学中文系学生 before the name
            tok = ROLE_PREFIX_RE.sub("", tok)
            if tok in _NOT_NAMES:
                continue
            if len(tok) > 20 or NAME_BAD_RE.search(tok):
                return None
            names.append(tok)
    return names


def _pairs(role_group: str, value: str) -> list[Credit] | None:
    names = split_names(value)
    if names is None:
        return None
    roles = [core_role(r) for r in ROLE_SPLIT_RE.split(role_group.strip()) if r]
    return [Credit(r, n) for r in roles for n in names]


def parse_credit_line(text: str, *, enclosed: bool = False) -> list[Credit] | None:
    """Credits when ``text`` is made only of credits (and 来源 fields), else None.

    >>> parse_credit_line(
    ...     "【供稿单位:组织部 威海校区党工委  作者:组文  编辑:新闻网工作室  责任编辑:王莉莉】"
    ... )  # doctest: +NORMALIZE_WHITESPACE
    [Credit(role='供稿单位', name='组织部'), Credit(role='供稿单位', name='威海校区党工委'),
     Credit(role='作者', name='组文'), Credit(role='编辑', name='新闻网工作室'),
     Credit(role='责任编辑', name='王莉莉')]
    >>> parse_credit_line("（记者 王五 通讯员 赵六）")
    [Credit(role='记者', name='王五'), Credit(role='通讯员', name='赵六')]
    >>> parse_credit_line("文/图：张三")
    [Credit(role='文', name='张三'), Credit(role='图', name='张三')]
    >>> parse_credit_line("【纠错】 【责任编辑:王頔】")
    [Credit(role='责任编辑', name='王頔')]
    >>> parse_credit_line("記者 王小明／台北報導"), parse_credit_line("記者王小明／台北報導")
    ([Credit(role='記者', name='王小明')], [Credit(role='記者', name='王小明')])
    >>> parse_credit_line("编辑：范 丽")
    [Credit(role='编辑', name='范丽')]
    >>> parse_credit_line("出国前：政治科目会出啥考题？") is None
    True
    """
    text = WIDGET_PREFIX_RE.sub("", text)
    m = ENCLOSED_RE.match(text)
    if m:
        text, enclosed = m.group("inner"), True
    text = text.strip()
    if not text or len(text) > 200:
        return None
    dateline = DATELINE_SUFFIX_RE.search(text) if ("/" in text or "／" in text) else None
    if dateline and dateline.start() > 0:
        # a reporter's byline: as explicit as a bracketed credit
        text, enclosed = text[: dateline.start()], True
    glued = GLUED_ROLE_RE.match(text) if enclosed else None
    if glued:
        return _pairs(glued.group("role"), glued.group("name"))
    # Exact shortcut for prose lines (most body lines): text before the first label must be a
    # name-first unit credit ending in 供稿/供图/供圖 (NAME_FIRST_RE), so without a "供" a
    # credit line has a label at position 0, and one anchored match (cheap) decides; the
    # unanchored search costs ~7 µs on an 85-char line.
    if "供" not in text and CREDIT_LABEL_RE.match(text) is None:
        return None
    labels = list(CREDIT_LABEL_RE.finditer(text))
    credits: list[Credit] = []
    head = text[: labels[0].start()] if labels else text
    if head.strip():
        m = NAME_FIRST_RE.match(head.strip())
        pairs = _pairs(m["role"], m["names"]) if m else None
        if not pairs:
            return None
        credits.extend(pairs)
    if not labels and not credits:
        return None
    pending_empty = False
    for i, lab in enumerate(labels):
        role, sep = lab.group("role"), lab.group("sep")
        end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        value = text[lab.end() : end].strip()
        if role in _SOURCE_ROLES:
            continue
        bare = ROLE_SPLIT_RE.split(role)
        if (
            not sep.strip()
            and not enclosed
            and len(labels) == 1
            and core_role(role) not in _PERSON_ROLES
        ):
            return None  # "文字 说明" is prose; a bare-space role needs brackets or a person role
        if any(core_role(r) in _SHORT_ROLES for r in bare) and not sep.strip():
            return None
        if not value:
            pending_empty = True
            continue
        pairs = _pairs(role, value)
        if pairs is None:
            return None
        credits.extend(pairs)
    if not credits and not pending_empty:
        return None
    return credits


def is_empty_credit_label(text: str) -> str | None:
    """The role when ``text`` is a bare label waiting for its value on the next line.

    >>> is_empty_credit_label("责任编辑："), is_empty_credit_label("正文")
    ('责任编辑', None)
    """
    m = EMPTY_LABEL_RE.fullmatch(text)
    return m.group("role") if m else None


def strip_inline_credits(text: str) -> tuple[str, list[Credit]]:
    """Remove credit parentheses (and a trailing ``本报记者X``) from a body line.

    >>> strip_inline_credits("南开新闻网讯（通讯员 张娅彭）为深入学习")
    ('南开新闻网讯为深入学习', [Credit(role='通讯员', name='张娅彭')])
    >>> strip_inline_credits("新华社巴黎12月9日电（记者唐霁）法国9日")
    ('新华社巴黎12月9日电法国9日', [Credit(role='记者', name='唐霁')])
    >>> strip_inline_credits("福建的媳妇。”本报记者黄世宏")
    ('福建的媳妇。”', [Credit(role='记者', name='黄世宏')])
    """
    found: list[Credit] = []

    def repl(m: re.Match[str]) -> str:
        credits = parse_credit_line(m.group("inner"), enclosed=True)
        if credits:
            found.extend(credits)
            return ""
        return m.group(0)

    out = (
        INLINE_PAREN_RE.sub(repl, text)
        if ("（" in text or "(" in text or "【" in text or "[" in text)
        else text
    )
    m = TRAILING_REPORTER_RE.search(out) if _REPORTER_ROLE_RE.search(out) else None
    if m:
        found.append(Credit(core_role(m.group("role")), m.group("name")))
        out = out[: m.start()]
    return out.strip(), found


def find_labelled_credits(raw: str) -> list[Credit]:
    """``ROLE：value`` fields inside a meta line (pieces separated by ``\\x1f``).

    >>> find_labelled_credits("2021-02-25作者：研究生院学位办浏览次数：")
    [Credit(role='作者', name='研究生院学位办')]
    >>> find_labelled_credits("日期：2021年04月14日 11:19\\x1f来源：")
    []
    """
    out: list[Credit] = []
    for m in META_CREDIT_RE.finditer(raw):
        rest = raw[m.end() :].lstrip("\x1f ")
        stop = META_STOP_RE.search(rest)
        value = (rest[: stop.start()] if stop else rest).strip()
        if not value or any(
            core_role(r) in _SHORT_ROLES for r in ROLE_SPLIT_RE.split(m.group("role"))
        ):
            continue
        pairs = _pairs(m.group("role"), value)
        if pairs:
            out.extend(pairs)
    return out
