"""The typed result of extraction: one declared type per concept.

Extraction is pure: ``campusnews.extract.extract(url, body, ...)`` returns an :class:`Article`.
Text fields come in two forms side by side: the original (as published, after decoding,
whitespace cleanup and removal of mirror pinyin annotations) and ``normalized`` (Simplified
Chinese, converted with OpenCC only when the page is Traditional). The original is never
destroyed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from campusnews.normalize.info import DecodeInfo

__all__ = ["Article", "Caption", "Credit", "DecodeInfo", "ListingLinks", "Script", "TextFields"]

Script = Literal["hans", "hant"]


@dataclass(frozen=True, slots=True)
class Credit:
    """One editorial credit: a role as printed (作者, 摄影, 责任编辑, ...) and one name."""

    role: str
    name: str


@dataclass(frozen=True, slots=True)
class Caption:
    """One image caption, in page order, with the image URL when it is known."""

    text: str
    image_url: str | None = None


@dataclass(frozen=True, slots=True)
class TextFields:
    """The text fields of an article in one script."""

    title: str | None
    source: str | None
    body: tuple[str, ...]
    captions: tuple[Caption, ...]
    credits: tuple[Credit, ...]

    @property
    def body_text(self) -> str:
        return "\n".join(self.body)


@dataclass(frozen=True, slots=True)
class Article:
    """Everything extraction reads from one article page."""

    url: str
    original: TextFields
    normalized: TextFields
    date: str | None  # ISO 8601: YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS]+08:00 when a time is shown
    script: Script | None  # None: script-neutral text, left as is
    decode: DecodeInfo | None = None
    mirror_artifact: bool = False  # machine-converted mirror (pinyin annotations were stripped)
    pinyin_removed: int = 0
    canonical_url: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    # Convenience accessors for the original form.
    @property
    def title(self) -> str | None:
        return self.original.title

    @property
    def source(self) -> str | None:
        return self.original.source

    @property
    def body(self) -> str:
        return self.original.body_text

    @property
    def captions(self) -> tuple[Caption, ...]:
        return self.original.captions

    @property
    def credits(self) -> tuple[Credit, ...]:
        return self.original.credits

    def to_json(self) -> dict[str, Any]:
        """The JSON shape printed by ``campusnews extract --json`` (a public contract)."""

        def fields(t: TextFields) -> dict[str, Any]:
            return {
                "title": t.title,
                "source": t.source,
                "body": t.body_text,
                "captions": [c.text for c in t.captions],
                "credits": [{"role": c.role, "name": c.name} for c in t.credits],
            }

        out: dict[str, Any] = {"url": self.url, "date": self.date}
        out.update(fields(self.original))
        out["caption_images"] = [c.image_url for c in self.original.captions]
        out["script"] = self.script
        out["normalized"] = fields(self.normalized)
        out["canonical_url"] = self.canonical_url
        out["mirror_artifact"] = self.mirror_artifact
        out["pinyin_removed"] = self.pinyin_removed
        out["encoding"] = asdict(self.decode) if self.decode else None
        out["warnings"] = list(self.warnings)
        return out


@dataclass(frozen=True, slots=True)
class ListingLinks:
    """What a listing page offers the spider: article links and further listing pages."""

    articles: tuple[str, ...]
    next_pages: tuple[str, ...]
