"""Builders of archive records with real-looking values, shared by the archive tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from archive import ArticleIn, CaptionIn, CaptureIn, CreditIn

SITE = "demo-univ"
T0 = datetime(2024, 3, 5, 2, 0, 0, tzinfo=UTC)
HTML = "<html><head><meta charset='gbk'><title>校园新闻</title></head><body>正文</body></html>"


def capture(
    url: str, body: bytes = b"", status: int = 200, minutes: int = 0, **kw: Any
) -> CaptureIn:
    """A GET capture of ``url`` fetched ``minutes`` after :data:`T0`."""
    headers = kw.pop("headers", [("Content-Type", "text/html; charset=gbk")])
    return CaptureIn(
        url=url,
        final_url=kw.pop("final_url", url),
        fetched_at=T0 + timedelta(minutes=minutes),
        status=status,
        headers=headers,
        body=body,
        site=kw.pop("site", SITE),
        request_headers=kw.pop("request_headers", [("User-Agent", "campusnews-test")]),
        **kw,
    )


def article(n: int = 1, **changes: Any) -> ArticleIn:
    """Article number ``n`` of :data:`SITE`, with captions and credits; override any field."""
    url = f"https://news.demo.edu.cn/info/1001/{n}.htm"
    base = ArticleIn(
        site=SITE,
        url=url,
        canonical_url=url,
        title=f"我校舉辦第{n}屆學術論壇",
        title_norm=f"我校举办第{n}届学术论坛",
        date="2024-03-05T10:00:00+08:00",
        source="新聞中心",
        source_norm="新闻中心",
        body=f"第一段，論壇{n}開幕。\n第二段，與會學者發言。",
        body_norm=f"第一段，论坛{n}开幕。\n第二段，与会学者发言。",
        captions=[CaptionIn("論壇現場", "论坛现场", "https://news.demo.edu.cn/img/a.jpg")],
        credits=[
            CreditIn("文", "王小明", "文", "王小明"),
            CreditIn("攝影", "李華", "摄影", "李华"),
        ],
        script="hant",
        extractor_version="test-1",
    )
    return replace(base, **changes)
