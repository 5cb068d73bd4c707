"""Pages over many articles: search (results, chart, CSV/JSONL download) and sites."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request

from archive.search import optional_query, search, search_month_counts
from archive.stats import COVERAGE_FIELDS, stats
from campusnews.web import _state
from campusnews.web._params import MAX_OFFSET, MAX_PAGE_SIZE, SORTS, parse_params
from campusnews.web._render import MARK_CLOSE, MARK_OPEN, mark_snippet, month_chart
from campusnews.web._stream import stream_export

bp = Blueprint("search", __name__)

EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
# The site list of the filter menu costs a scan of the archive: reuse it for this long.
SITE_LIST_TTL_S = 60.0
RECENT_RUNS = 10

COUNT_WORKERS = 4
_counts_pool = ThreadPoolExecutor(max_workers=COUNT_WORKERS, thread_name_prefix="campusnews-counts")
_SITE_LIST_KEY = "campusnews.site_list"
_site_lock = threading.Lock()


def site_names() -> list[str]:
    """Sites present in the archive, for the filter menu (cached briefly per app)."""
    cache: dict[str, Any] = current_app.extensions.setdefault(_SITE_LIST_KEY, {})
    now = time.monotonic()
    with _site_lock:
        if "names" in cache and now - cache["at"] < SITE_LIST_TTL_S:
            return list(cache["names"])
    names = sorted(_state.archive().site_counts())
    with _site_lock:
        cache.update(names=names, at=now)
    return list(names)


@bp.get("/")
def index() -> str:
    """The search page: form, result count, chart by month, one page of hits."""
    params = parse_params(request.args)
    context: dict[str, Any] = {
        "p": params,
        "sites": site_names(),
        "sorts": SORTS,
        "max_size": MAX_PAGE_SIZE,
        "page": None,
        "chart": None,
        "months": [],
        "pages": 0,
    }
    if params.active:
        arc = _state.archive()
        filters = params.filters()
        # The chart's counts run beside the page query: SQLite and PostgreSQL work outside
        # the GIL, so the page costs the slower of the two rather than their sum. The counts
        # give the exact total too, so the page query need not count (count_limit=0).
        counting = _counts_pool.submit(search_month_counts, arc, params.q or None, **filters)
        try:
            page = search(
                arc,
                params.q or None,
                sort=params.effective_sort,  # type: ignore[arg-type]
                limit=params.size,
                offset=params.offset,
                mark=(MARK_OPEN, MARK_CLOSE),
                count_limit=0,
                **filters,
            )
        except Exception:
            wait([counting])  # never leave a query running for a failed request
            raise
        counts = counting.result()
        months = counts.months
        reachable = min(counts.total, MAX_OFFSET + params.size)
        context.update(
            page=page,
            total=counts.total,
            snippets=[mark_snippet(h.snippet) for h in page.hits],
            chart=month_chart(months),
            months=months,
            pages=max(1, -(-reachable // params.size)),
        )
    return render_template("search.html", **context)


@bp.get("/export.<fmt>")
def export(fmt: str) -> Response:
    """The whole result set of a search as CSV (UTF-8 with BOM) or JSON Lines, streamed."""
    if fmt not in EXPORT_TYPES:
        abort(404)
    params = parse_params(request.args)
    if not params.active:
        return _empty_search()
    optional_query(params.q)  # a malformed query fails here (400), before streaming starts
    body = stream_export(_state.archive(), fmt, params.q or None, **params.filters())  # type: ignore[arg-type]
    response = Response(body, content_type=EXPORT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="campusnews-search.{fmt}"'
    return response


def _empty_search() -> Any:
    from campusnews.web.app import error_page

    return error_page(400, "Nothing to download", "Type a query or choose a filter first.")


@bp.get("/sites")
def sites() -> str:
    """Per site: counts, date range, coverage, the last run and recent layout alerts."""
    arc = _state.archive()
    counts = arc.site_counts()
    summary = stats(arc, top=0)["sites"]
    rows = []
    for name in sorted(set(counts) | set(summary)):
        runs = arc.runs(name, limit=RECENT_RUNS)
        rows.append(
            {
                "name": name,
                "counts": counts.get(name, {}),
                "summary": summary.get(name),
                "last_run": runs[0] if runs else None,
                "alerts": [(r, a) for r in runs for a in (r.get("alerts") or [])],
            }
        )
    return render_template("sites.html", rows=rows, coverage_fields=COVERAGE_FIELDS)
