"""docs/report.html in a real headless Chromium (Debian's chromium driven by playwright with the system
browser, no browser download): a verified and benchmarked design's report loads without console errors or
network requests, shows the diagram, dictionary, rules, inferences, verification and benchmark charts, and
a screenshot is kept in tests/artifacts/ (gitignored)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from shared_inputs import input_group

from schemawright.render.writer import write_docs

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"


def _browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright; it drives the system chromium)")
    exe = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    if exe is None:
        pytest.skip("no Chromium on PATH (Debian: apt-get install chromium; scripts/system-deps.sh installs it)")
    return sync_playwright, exe


LIBRARY = ROOT / "tests/inputs/library.yaml"
pytestmark = pytest.mark.xdist_group(input_group(LIBRARY))  # the worker that holds library's verification


@pytest.fixture(scope="module")
def report(tmp_path_factory, pg_dsn, verified_input) -> Path:
    from schemawright.bench.report import write_outputs
    from schemawright.bench.run import bench

    # design_project(LIBRARY, folder) and verify_project(folder), once per session (tests/conftest.py)
    verified, verification = verified_input(LIBRARY)
    assert verification.passed
    folder = shutil.copytree(verified, tmp_path_factory.mktemp("report") / "library")
    result = bench(folder, pg_dsn, scale=0.001, duration=1.0, warmup=0.2, clients=2, baseline=False, floor=False,
                   max_rows=2000)
    write_outputs(result, folder)
    write_docs(str(folder), folder)  # the docs of the design folder, now with its results
    return folder / "docs" / "report.html"


def test_report_is_self_contained(report):
    import re

    html = report.read_text()
    assert "<script" not in html.lower() and "@import" not in html
    urls = re.findall(r"(?:https?:)?//[^\s\"'<>)]+", html)
    # the only URLs are the SVG/XLink namespace names, which are never fetched
    assert urls and all(u.startswith("http://www.w3.org/") for u in urls), sorted(set(urls))[:5]
    assert "default-src 'none'" in html  # and the page forbids loading anything else


def test_report_in_headless_chromium(report):
    sync_playwright, exe = _browser()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            assert page.title().startswith("library")
            for section in ("diagram", "dictionary", "rules", "inferences", "verification", "benchmark", "backup"):
                assert page.locator(f"section#{section}").count() == 1, section
            assert page.locator("#erd svg").count() == 1  # the ER diagram, inline
            erd_text = page.locator("#erd svg").text_content()
            for table in ("books", "copies", "loans", "members", "holds", "branches"):
                assert table in erd_text
            assert page.locator("section#dictionary details").count() >= 6
            status = page.locator("#verify-status").inner_text()
            assert "checks passed" in status and page.locator("#verify-status.ok").count() == 1
            assert page.locator("section#verification svg.chart rect").count() >= 1
            assert page.locator("section#benchmark svg.chart rect").count() >= 1
            assert page.locator("section#benchmark table").count() >= 1
            box = page.locator("#erd svg").bounding_box()
            assert box and box["width"] > 200 and box["height"] > 100  # drawn, not collapsed
            page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)
            page.locator("section#verification").screenshot(path=str(ARTIFACTS / "report-verification.png"))
        finally:
            browser.close()
    assert not problems, problems
    assert all(u.startswith(("file://", "data:", "about:")) for u in requests), requests
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000
