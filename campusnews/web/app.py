"""The Flask application: a read-only front end over :class:`archive.Archive`.

:func:`create_app` opens the archive read-only and wires the pages (``search``, ``article``
blueprints), the security headers sent with every response and the error pages. Scraped text
is hostile: templates autoescape everything and never mark scraped text safe; the only markup
built from it comes from :mod:`campusnews.web._render`, which escapes each part.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, render_template
from jinja2 import StrictUndefined
from werkzeug.exceptions import HTTPException

from archive import Archive
from campusnews.exceptions import QueryError
from campusnews.web import _state
from campusnews.web._params import BadInput

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';"
        " base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
log = logging.getLogger(__name__)


def create_app(db_url: str | None = None, *, archive: Archive | None = None) -> Flask:
    """The web app over the archive at ``db_url`` (opened read-only), or over ``archive``.

    >>> app = create_app("sqlite://")
    >>> app.test_client().get("/no-such-page").status_code
    404
    """
    from campusnews.web import article, search  # the blueprints import this module's helpers

    app = Flask(__name__)
    app.config.update(DEBUG=False, TESTING=False, PROPAGATE_EXCEPTIONS=False, JSON_AS_ASCII=False)
    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.extensions[_state.EXTENSION_KEY] = archive or Archive(db_url, readonly=True)
    app.register_blueprint(search.bp)
    app.register_blueprint(article.bp)
    app.after_request(_security_headers)
    app.register_error_handler(BadInput, _bad_input)
    app.register_error_handler(QueryError, _bad_input)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
    return app


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def error_page(status: int, title: str, message: str) -> tuple[str, int]:
    """A friendly error page (the message is ours, shown escaped; never a traceback)."""
    return render_template("error.html", status=status, title=title, message=message), status


def _bad_input(e: Exception) -> Any:
    return error_page(400, "That search cannot be run", str(e))


def _http_error(e: HTTPException) -> Any:
    if e.code == 404:
        return error_page(404, "Not found", "There is no such page or article in this archive.")
    code = e.code or 500
    return error_page(code, e.name, "The request could not be served.")


def _server_error(e: Exception) -> Any:
    log.exception("unhandled error", exc_info=e)
    return error_page(500, "Something went wrong", "The page could not be built; see the log.")
