"""End to end in headless Chromium (Debian's ``chromium`` + ``chromium-driver``, via Selenium).

A researcher types a query, sees the results and the chart, opens an article, switches to
the text as published, and compares two versions. Each page is saved as a screenshot in the
test's ``tmp_path``; with ``CAMPUSNEWS_SCREENSHOTS=DIR`` they are copied to DIR as well (how
``docs/screenshots/`` was made). Skipped, saying why, when Chromium, its driver or Selenium is
missing.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from archive import Archive
from campusnews.web import create_app
from campusnews.web._state import EXTENSION_KEY
from tests.web.conftest import CHANGED_SITE, NEW_SENTENCE, OLD_SENTENCE, crawl_changed

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("CAMPUSNEWS_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CAMPUSNEWS_CHROMEDRIVER", "/usr/bin/chromedriver"))
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1400",
)
WAIT_S = 15


def _missing() -> str | None:
    if not CHROMIUM.is_file():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium chromium-driver)"
    if not CHROMEDRIVER.is_file():
        return f"chromedriver not found at {CHROMEDRIVER} (apt-get install chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install selenium)"
    return None


@pytest.fixture(scope="module")
def site_url(
    demo_sites: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The web view served over real HTTP on 127.0.0.1, over a crawled archive in which one
    demo-big5 article has two versions."""
    reason = _missing()
    if reason:
        pytest.skip(reason)
    db = tmp_path_factory.mktemp("web-browser") / "crawl.db"
    others = {k: v for k, v in demo_sites.items() if k != CHANGED_SITE}
    changed_url = crawl_changed(db, others)
    app = create_app(f"sqlite:///{db}")
    arc: Archive = app.extensions[EXTENSION_KEY]
    art = arc.get_article(changed_url)
    assert art is not None and art["version_count"] == 2
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"base": f"http://127.0.0.1:{server.server_port}", "article": art}
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        arc.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager (which would download one) never runs.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


def _shot(driver: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    assert driver.save_screenshot(str(path))
    target = os.environ.get("CAMPUSNEWS_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)
    return path


def test_search_read_switch_and_diff(
    site_url: dict[str, Any], browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, WAIT_S)
    art = site_url["article"]
    v = art["version"]

    # Type a query, see the count, the results and the chart.
    browser.get(site_url["base"] + "/")
    box = wait.until(ec.presence_of_element_located((By.ID, "q")))
    box.send_keys("座談")
    browser.find_element(By.CSS_SELECTOR, "form.search button[type=submit]").click()
    count = wait.until(ec.presence_of_element_located((By.ID, "result-count")))
    assert count.text.split()[0].isdigit() and int(count.text.split()[0]) > 0
    hits = browser.find_elements(By.CSS_SELECTOR, "li.hit a.title")
    assert len(hits) == int(count.text.split()[0])
    assert browser.find_element(By.CSS_SELECTOR, "figure.chart svg").is_displayed()
    assert browser.find_elements(By.CSS_SELECTOR, "figure.chart g.bar")
    # The stylesheet loaded under the strict CSP: marks are highlighted.
    mark = browser.find_element(By.CSS_SELECTOR, "p.snippet mark")
    assert mark.value_of_css_property("background-color") == "rgba(255, 233, 138, 1)"
    _shot(browser, tmp_path, "search")

    # Open the article that changed between the two crawls.
    browser.find_element(By.CSS_SELECTOR, f'li.hit a.title[href="/article/{art["id"]}"]').click()
    title = wait.until(ec.presence_of_element_located((By.ID, "article-title")))
    assert title.text == v["title_norm"]
    assert NEW_SENTENCE not in browser.find_element(By.CSS_SELECTOR, "div.body").text
    _shot(browser, tmp_path, "article")

    # Switch to the text as published (Traditional).
    browser.find_element(By.ID, "show-original").click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "article-title"), v["title"]))
    assert NEW_SENTENCE in browser.find_element(By.CSS_SELECTOR, "div.body").text
    _shot(browser, tmp_path, "article-original")

    # Compare the two versions.
    browser.find_element(By.ID, "compare").click()
    diff = wait.until(ec.presence_of_element_located((By.ID, "body-diff")))
    deleted = [e.text for e in diff.find_elements(By.CSS_SELECTOR, "span.del")]
    added = [e.text for e in diff.find_elements(By.CSS_SELECTOR, "span.add")]
    assert len(deleted) == 1 and OLD_SENTENCE in deleted[0]
    assert len(added) == 1 and NEW_SENTENCE in added[0]
    _shot(browser, tmp_path, "diff")

    browser.get(site_url["base"] + "/sites")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "section.site")))
    _shot(browser, tmp_path, "sites")

    # No page was blocked by the Content-Security-Policy or failed to load a resource.
    problems = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert problems == []
