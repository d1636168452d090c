"""Every exported page, opened offline in headless Chromium as a reader would."""

import re
import shutil
import subprocess
import sys

import pytest
from playwright import sync_api as playwright_api
from pypdf import PdfReader

from luoshi_analysis.browser import audit_page, launch

PAGES = [f"{name}_{lang}" for name in ("revenue_structure", "spending_mix", "outcome_indicators")
         for lang in ("zh", "en")]
CHARTS = {"revenue_structure": 1, "spending_mix": 3, "outcome_indicators": 9}


@pytest.fixture(scope="module")
def playwright():
    with playwright_api.sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def context(playwright):
    browser = launch(playwright)
    context = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
    yield context
    browser.close()


@pytest.fixture(scope="module")
def no_cjk_context(playwright, tmp_path_factory):
    """A browser on a machine without Chinese fonts: fontconfig sees only DejaVu."""
    folder = tmp_path_factory.mktemp("fonts")
    dejavu = "/usr/share/fonts/truetype/dejavu"
    (folder / "fonts.conf").write_text(
        f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{dejavu}</dir><cachedir>{folder}/cache</cachedir></fontconfig>", "utf-8")
    browser = launch(playwright, env={"FONTCONFIG_FILE": str(folder / "fonts.conf"),
                                      "HOME": str(folder), "PATH": "/usr/bin:/bin"})
    context = browser.new_context(offline=True)
    yield context
    browser.close()


@pytest.mark.parametrize("stem", PAGES)
def test_report_page_works_offline(report_run, context, stem, tmp_path):
    outputs, _ = report_run
    shot = tmp_path / "screenshots" / f"{stem}.png"
    audit = audit_page(context, outputs / "2020" / f"{stem}.html", screenshot=shot)
    assert audit.problems == []
    assert audit.images == CHARTS[stem.rsplit("_", 1)[0]]
    assert shot.stat().st_size > 10_000
    if stem.endswith("_zh"):
        assert any("CJK" in face for face in audit.heading_fonts), audit.heading_fonts


def test_index_page_works_offline(report_run, context, tmp_path):
    outputs, _ = report_run
    audit = audit_page(context, outputs / "index.html", screenshot=tmp_path / "index.png")
    assert audit.problems == []
    assert "2020" in audit.title and "罗市镇" in audit.title
    assert any("CJK" in face for face in audit.heading_fonts)


def _broken_copy(outputs, tmp_path, stem, old, new):
    folder = tmp_path / "2020"
    folder.mkdir()
    page = (outputs / "2020" / f"{stem}.html").read_text("utf-8")
    changed = re.sub(old, new, page, count=1)
    assert changed != page
    (folder / f"{stem}.html").write_text(changed, "utf-8")
    shutil.copy(outputs / "index.html", tmp_path / "index.html")
    return folder / f"{stem}.html"


def test_audit_fails_when_a_chart_is_missing(report_run, context, tmp_path):
    outputs, _ = report_run
    page = _broken_copy(outputs, tmp_path, "revenue_structure_zh",
                        r'src="data:image/png;base64,[^"]+"', 'src="figures/missing.png"')
    problems = audit_page(context, page).problems
    assert any(p.startswith("image did not load") for p in problems), problems


def test_audit_fails_when_a_page_refers_to_an_outside_host(report_run, context, tmp_path):
    outputs, _ = report_run
    page = _broken_copy(outputs, tmp_path, "spending_mix_zh", r"</head>",
                        '<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/'
                        'require.min.js"></script></head>')
    problems = audit_page(context, page).problems
    assert any("outside host" in p and "cdnjs" in p for p in problems), problems


def test_audit_fails_when_the_heading_falls_back_to_a_non_cjk_face(report_run, no_cjk_context):
    outputs, _ = report_run
    audit = audit_page(no_cjk_context, outputs / "2020" / "revenue_structure_zh.html")
    assert any("not a CJK face" in p for p in audit.problems), audit.problems


def test_pdf_is_a4_with_selectable_chinese_and_whole_charts(tmp_path):
    outputs = tmp_path / "out"
    # a process of its own, as a user runs it (this module already drives a browser)
    run = subprocess.run(
        [sys.executable, "-m", "luoshi_analysis.cli", "run", "--year", "2020", "--lang", "zh",
         "--notebooks", "revenue_structure", "outcome_indicators", "--outputs", str(outputs),
         "--quiet", "--pdf"], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    for name, charts in (("revenue_structure", 1), ("outcome_indicators", 9)):
        reader = PdfReader(outputs / "2020" / f"{name}_zh.pdf")
        first = reader.pages[0]
        assert round(float(first.mediabox.width)) == 595 and round(float(first.mediabox.height)) == 842
        text = "".join(page.extract_text() for page in reader.pages)
        assert "罗市镇人民政府2020年部门整体支出绩效评价报告" in text.replace("\n", "")
        assert not re.search("[\u2e80-\u2fdf]", text), "radical code points instead of 门, 支…"
        assert "← 全部报告" not in text, "navigation is hidden in print"
        placements = sum(len(page.images) for page in reader.pages)
        assert placements == charts, f"{name}: {placements} image placements for {charts} charts"
    revenue = "".join(p.extract_text() for p in PdfReader(outputs / "2020" /
                                                          "revenue_structure_zh.pdf").pages)
    assert "财政拨款收入" in revenue


def test_check_pages_command_reports_each_page(report_run, tmp_path):
    outputs, _ = report_run
    shots = tmp_path / "shots"
    run = subprocess.run([sys.executable, "-m", "luoshi_analysis.cli", "check-pages",
                          "--outputs", str(outputs), "--screenshots", str(shots)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "7 of 7 pages work offline" in run.stdout
    assert (shots / "index.png").is_file() and (shots / "2020" / "spending_mix_en.png").is_file()
    broken = tmp_path / "broken"
    shutil.copytree(outputs, broken)
    page = broken / "2020" / "spending_mix_zh.html"
    page.write_text(page.read_text("utf-8").replace(
        "</head>", '<link rel="stylesheet" href="https://fonts.googleapis.com/css"></head>', 1),
        "utf-8")
    run = subprocess.run([sys.executable, "-m", "luoshi_analysis.cli", "check-pages",
                          "--outputs", str(broken)], capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert "request to an outside host: https://fonts.googleapis.com/css" in run.stdout
