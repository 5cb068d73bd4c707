"""recrawl, reextract, layout alerts, run history, Scrapy/Scrapyd entry points — over the tiny
fixture site on 127.0.0.1, with real crawls in subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import Archive
from campusnews import profiles as profiles_module
from campusnews.cli import cli
from campusnews.cli import commands as _commands  # noqa: F401 (registers the subcommands)
from fixtures.server import FixtureServer, RequestInfo, Resource
from tests.ops import kit

pytestmark = pytest.mark.slow


def _url(server: FixtureServer, n: int) -> str:
    return f"{server.base_url}/a/{n}.htm"


def test_recrawl_failed_clears_failures_that_now_succeed(
    tiny: kit.TinySite, server: FixtureServer, profiles_dir: Path, db: Path
) -> None:
    good = tiny.site.pages["/a/2.htm"]
    broken = {"on": True}

    def flaky(_info: RequestInfo) -> Resource:
        return Resource(b"<h1>Internal Server Error</h1>", status=500) if broken["on"] else good  # type: ignore[return-value]

    tiny.site.set_page("/a/2.htm", flaky)
    first = kit.crawl(server, db, profiles_dir, "--set", "RETRY_TIMES=0")
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.summary()["failed"] == "1" and first.summary()["new"] == "5"
    with Archive(f"sqlite:///{db}") as arc:
        [f] = arc.failures("tiny-news")
        assert (f["url"], f["reason"], f["http_status"], f["attempts"]) == (
            _url(server, 2), "http_error", 500, 1,
        )  # fmt: skip

    broken["on"] = False
    server.clear_requests()
    again = kit.run(kit.command("recrawl", "--failed", "--db", str(db)), profiles_dir)
    assert again.returncode == 0, again.stdout + again.stderr
    assert kit.paths(server) == ["/robots.txt", "/a/2.htm"]  # that URL only, no listing
    assert again.summary()["new"] == "1"
    assert "recrawled 1 URL(s): 1 failure(s) cleared, 0 still failing" in again.stdout
    with Archive(f"sqlite:///{db}") as arc:
        assert arc.failures("tiny-news") == []
        assert arc.get_article(_url(server, 2)) is not None
        assert [r["mode"] for r in arc.runs("tiny-news")] == ["recrawl", "full"]

    # By article date: article n is dated 2024-05-(n+1), so 05-05..05-06 are articles 4 and 5.
    server.clear_requests()
    dated = kit.run(
        kit.command("recrawl", "--site", "tiny-news", "--since", "2024-05-05",
                    "--until", "2024-05-06", "--db", str(db)),
        profiles_dir,
    )  # fmt: skip
    assert dated.returncode == 0, dated.stdout + dated.stderr
    assert sorted(kit.paths(server)) == ["/a/4.htm", "/a/5.htm", "/robots.txt"]
    assert all("If-None-Match" not in r.headers for r in server.requests)  # unconditional
    assert (dated.summary()["unchanged"], dated.summary()["new"]) == ("2", "0")


def test_reextract_after_profile_fix_changes_only_affected_articles(
    server: FixtureServer, profiles_dir: Path, db: Path
) -> None:
    # A caption selector that matches nothing: the odd-numbered articles (1, 3, 5), which have
    # a captioned photo, are archived without their caption; the others have none to lose.
    kit.write_profile(profiles_dir, captions="div.content p.caption")
    crawled = kit.crawl(server, db, profiles_dir)
    assert crawled.returncode == 0, crawled.stdout + crawled.stderr
    assert crawled.summary()["captions"] == "0"
    kit.write_profile(profiles_dir)  # the fixed selector
    profiles_module._load_all.cache_clear()
    url = f"sqlite:///{db}"
    runner = CliRunner()
    dry = runner.invoke(cli, ["reextract", "--site", "tiny-news", "--dry-run", "--json",
                              "--jobs", "2", "--db", url])  # fmt: skip
    assert dry.exit_code == 0, dry.output
    assert {k: v for k, v in json.loads(dry.output).items() if k != "changed_ids"} == {
        "articles": 6, "changed": 3, "unchanged": 3, "failed": 0, "no_capture": 0,
        "fields": {"captions": 3}, "failures": [], "run_id": None, "dry_run": True,
    }  # fmt: skip
    res = runner.invoke(cli, ["reextract", "--site", "tiny-news", "--db", url])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        "reextract: ok articles=6 changed=3 unchanged=3 failed=0 no_capture=0",
        "changed fields: captions=3",
    ]
    with Archive(url) as arc:
        for art in map(arc.get_article, arc.article_ids()):
            assert art is not None
            n = int(art["url"].rsplit("/", 1)[1].split(".")[0])
            versions = arc.versions(art["id"])
            captions = [[c["text"] for c in v["captions"]] for v in versions]
            if n % 2:
                assert captions == [[], [f"图为第{n}号新闻现场"]]
                assert versions[0]["body"] == versions[1]["body"]  # the old version is intact
                assert versions[1]["capture_id"] == versions[0]["capture_id"]
            else:
                assert captions == [[]]
        [run] = [r for r in arc.runs("tiny-news") if r["mode"] == "reextract"]
        assert (run["status"], run["changed"], run["unchanged"]) == ("ok", 3, 3)
    # A second pass finds nothing more to change.
    again = runner.invoke(cli, ["reextract", "--site", "tiny-news", "--db", url])
    assert again.output.splitlines()[0].startswith("reextract: ok articles=6 changed=0 unchanged=6")


def test_layout_change_raises_coverage_alert_and_fail_on_alert_exits_3(
    tiny: kit.TinySite, server: FixtureServer, profiles_dir: Path, db: Path
) -> None:
    first = kit.crawl(server, db, profiles_dir, "--fail-on-alert")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "ALERT" not in first.stdout
    # The site's new template moves the date out of the meta line; three new articles appear.
    tiny.date_in_meta = False
    for n in (7, 8, 9):
        tiny.add(kit.make_article(n))
    for a in tiny.articles:
        tiny.site.set_page(a.path, Resource(tiny.article_html(a)))
    second = kit.crawl(server, db, profiles_dir, "--fail-on-alert")
    assert second.returncode == 3, second.stdout + second.stderr
    assert second.summary()["status"] == "ok"
    assert second.stdout.splitlines()[-1].endswith(" ALERT date coverage 100% → 0% (9 articles)")
    runner = CliRunner()
    res = runner.invoke(cli, ["runs", "--site", "tiny-news", "--json", "--db", f"sqlite:///{db}"])
    assert res.exit_code == 0, res.output
    newest, oldest = json.loads(res.output)
    assert list(newest) == ["id", "site", "mode", "status", "started_at", "finished_at",
                            "pages", "new", "changed", "unchanged", "alias", "failed",
                            "alerts", "stats"]  # fmt: skip
    assert (newest["new"], newest["changed"], newest["status"]) == (3, 6, "ok")
    assert [(a["field"], a["baseline"], a["current"], a["n"]) for a in newest["alerts"]] == [
        ("date", 1.0, 0.0, 9)
    ]
    assert oldest["alerts"] == [] and oldest["stats"]["coverage"]["date"] == 1.0
    table = runner.invoke(cli, ["runs", "--db", f"sqlite:///{db}"])
    assert "date coverage 100% → 0% (9 articles)" in table.output.splitlines()[1]


def test_scrapy_list_and_scrapyd_style_crawl(
    server: FixtureServer, profiles_dir: Path, db: Path
) -> None:
    env = kit.env(profiles_dir)
    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=kit.REPO, env=env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert listed.stdout.split() == ["campus"], listed.stderr
    # What Scrapyd's schedule.json (site=..., setting=CAMPUSNEWS_DB=...) runs.
    crawled = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "campus", "-a", "site=tiny-news",
         "-a", f"base_url={server.base_url}", "-a", "incremental=0",
         "-s", f"CAMPUSNEWS_DB=sqlite:///{db}", "-s", "LOG_LEVEL=WARNING"],
        cwd=kit.REPO, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert crawled.returncode == 0, crawled.stderr
    with Archive(f"sqlite:///{db}") as arc:
        assert arc.site_counts()["tiny-news"]["articles"] == 6
        assert [(r["mode"], r["status"]) for r in arc.runs()] == [("full", "ok")]
