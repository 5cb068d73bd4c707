"""A read-only web front end over the archive (``campusnews serve``).

Search with filters and a chart of matches per month, articles with captions and credits in
either script, versions and their diffs, raw captures as WARC, and a page per site. Pages are
server-side Jinja2 templates with no JavaScript and no external assets.
"""

from campusnews.web.app import create_app

__all__ = ["create_app"]
