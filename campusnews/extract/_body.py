"""Turn the container's lines into body paragraphs, captions and credits."""

from __future__ import annotations

import re
from dataclasses import replace

from campusnews.extract._credits import (
    PHOTO_CREDIT_LINE_RE,
    find_labelled_credits,
    is_empty_credit_label,
    parse_credit_line,
    strip_inline_credits,
)
from campusnews.extract._fields import SOURCE_LINE_RE
from campusnews.extract._page import absolute_url
from campusnews.extract._render import Line
from campusnews.extract.processors import DATE_RE
from campusnews.extract.types import Caption, Credit

CAPTION_PREFIX_RE = re.compile(r"^(?:图为|圖為|图注|圖註|图：|圖：|上图|下图|左图|右图|上圖|下圖)")
CAPTION_SUFFIX_RE = re.compile(r"(?:摄|攝|供图|供圖)\s*[）)]?$")
# Pagers, share bars, print/close buttons, video player chrome, 纠错 and similar widgets.
JUNK_LINE_RE = re.compile(
    r"^(?:上一[篇页条頁條]|下一[篇页条頁條]|上篇|下篇|共\s*\d+\s*页|首页|尾页|分享到|分享|"
    r"【?\s*字[体號号體]|【?\s*打印|【?\s*关闭|【?\s*關閉|【?\s*纠错|【?\s*糾錯|\+1$|图集$|"
    r"扫一扫|掃一掃|Play Video|返回顶部|返回列表|收藏本页|链接已复制|阅读剩余全文|"
    r"\|?<<.*>>\|?$|(?:【\d+】\s*)+$|(?:\[\d+\]\s*)+$|(?:\d+\s*)+下一页|精彩视频推荐|"
    r"关注(?:微信)?公众号|"
    # print-edition line of a reprint: 《 人民日报 》（ 2024年05月10日 04 版）
    r"《\s*[^》]{2,12}\s*》\s*[（(]\s*\d{4}年\d{1,2}月\d{1,2}日\s*\d*\s*版?\s*[）)]$)",
    re.I,
)
COPYRIGHT_RE = re.compile(
    r"未经(?:授权|许可|允许).{0,8}不得转载|版权所有|转载请注明|版權所有|未經授權"
)
ATTACHMENT_RE = re.compile(r"^附件\s*\d*\s*[:：]|\.(?:docx?|xlsx?|pdf|zip|rar|pptx?|wps)$", re.I)
CREDIT_TRAILER_SCAN = 12


def _is_junk(line: Line) -> bool:
    text = line.text
    if JUNK_LINE_RE.match(text) or (len(text) <= 120 and COPYRIGHT_RE.search(text)):
        return True
    # link text first: ATTACHMENT_RE's ``\.(?:docx?|…)$`` branch is tried at every position
    # of the line, and most body lines hold no link
    if line.link_chars and ATTACHMENT_RE.search(text):
        return True
    # a line that is all link text is a promo, related-story or attachment link
    return len(text) >= 2 and line.link_chars >= 0.9 * len(text)


def _captionish(line: Line) -> bool:
    text = line.text
    if len(text) > 220 or text.endswith(("：", ":")):
        return False
    if line.center and len(text) <= 80 and text.count("。") <= 1:
        return True
    return bool(
        line.caption_hint or CAPTION_PREFIX_RE.match(text) or CAPTION_SUFFIX_RE.search(text)
    )


def _is_repeat_of_title(text: str, title: str | None) -> bool:
    if not title:
        return False
    t, x = title.replace(" ", ""), text.replace(" ", "")
    return x == t or (len(x) >= 6 and x in t) or (t in x and len(x) <= len(t) + 8)


def clean_body(
    lines: list[Line],
    title: str | None,
    base: str,
    skip: set[int],
    offset: int,
) -> tuple[list[str], list[Caption], list[tuple[int, Credit]]]:
    """Body paragraphs, captions and credits from the container's lines.

    Each credit comes with the index of the line it was read from (``offset`` + position), so
    that credits from profile-selected elements can be merged with them in page order.
    """
    body: list[str] = []
    captions: list[Caption] = []
    credits: list[tuple[int, Credit]] = []
    last_image: str | None = None
    prev_was_image = False
    pending_role: str | None = None
    seen_text = 0
    for k, line in enumerate(lines):
        text = line.text
        if not text:
            if line.images:
                last_image, prev_was_image = line.images[-1], True
            continue
        if offset + k in skip:
            prev_was_image = False
            continue
        after_image = prev_was_image or bool(line.images)
        if line.images:
            last_image = line.images[-1]
        prev_was_image = False
        seen_text += 1
        if pending_role:
            names = parse_credit_line(f"{pending_role}：{text}")
            pending_role = None
            if names and len(text) <= 20:
                credits.extend((offset + k, c) for c in names)
                continue
        if seen_text <= 4 and not body and _is_repeat_of_title(text, title):
            continue
        role = is_empty_credit_label(text)
        if role:
            pending_role = role
            continue
        found = parse_credit_line(text)
        if found is not None:
            credits.extend((offset + k, c) for c in found)
            if after_image and text[0] in "（(" and _captionish(line):
                captions.append(
                    Caption(text, absolute_url(base, last_image) if last_image else None)
                )
            continue
        if PHOTO_CREDIT_LINE_RE.match(text):
            continue
        if _is_junk(line):
            continue
        if SOURCE_LINE_RE.match(text) and len(text) <= 60:
            continue
        stripped, inline = strip_inline_credits(text)
        credits.extend((offset + k, c) for c in inline)
        if after_image and _captionish(replace(line, text=stripped) if inline else line):
            # a caption is kept as printed, photo credit included: 津南校区中心馆（摄影：吴军辉）
            captions.append(Caption(text, absolute_url(base, last_image) if last_image else None))
            continue
        text = stripped
        if text:
            body.append(text)
    return body, captions, credits


def zone_credits(lines: list[Line], *, trailer: bool) -> list[Credit]:
    """Credits from the meta header (``trailer=False``) or from the lines after the body."""
    out: list[Credit] = []
    pending: str | None = None
    for n, line in enumerate(lines):
        text = line.text
        if not text:
            continue
        if pending:
            found = parse_credit_line(f"{pending}：{text}")
            pending = None
            if found:
                out.extend(found)
                continue
        role = is_empty_credit_label(text)
        if role:
            pending = role
            continue
        found = parse_credit_line(text)
        if found is not None:
            out.extend(found)
            continue
        if not trailer:
            out.extend(find_labelled_credits(line.raw))
            continue
        if n >= CREDIT_TRAILER_SCAN:
            break
        if _is_junk(line) or len(text) <= 4 or SOURCE_LINE_RE.match(text):
            continue
        if DATE_RE.match(text) and len(text) <= 40:
            continue
        break
    return out
