"""Every exported page, opened offline in headless Chromium as a reader would."""

import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import SEED_ONLY
from notebook_helpers import UNIT
from playwright import sync_api as playwright_api
from pypdf import PdfReader

from luoshi_analysis.engine.browser import audit_page, launch

PAGES = [f"{name}_{lang}" for name in ("revenue_structure", "spending_mix", "outcome_indicators")
         for lang in ("zh", "en")]
# outcome_indicators: a chart for each section with two figures of a unit (none in (5))
CHARTS = {"revenue_structure": 1, "spending_mix": 3, "outcome_indicators": 7}


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
    audit = audit_page(context, outputs / UNIT / "2020" / f"{stem}.html", screenshot=shot)
    assert audit.problems == []
    assert audit.images == CHARTS[stem.rsplit("_", 1)[0]]
    assert shot.stat().st_size > 10_000
    if stem.endswith("_zh"):
        assert any("CJK" in face for face in audit.heading_fonts), audit.heading_fonts


def test_index_page_works_offline(report_run, context, tmp_path):
    outputs, _ = report_run
    audit = audit_page(context, outputs / "index.html", screenshot=tmp_path / "index.png")
    assert audit.problems == []
    assert "2020" in audit.title and "报告" in audit.title
    unit_index = audit_page(context, outputs / UNIT / "index.html")
    assert unit_index.problems == [] and "2020" in unit_index.title and "罗市镇" in unit_index.title
    assert any("CJK" in face for face in audit.heading_fonts)


def _broken_copy(outputs, tmp_path, stem, old, new):
    folder = tmp_path / "2020"
    folder.mkdir(parents=True)
    page = (outputs / UNIT / "2020" / f"{stem}.html").read_text("utf-8")
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


def test_each_chart_has_alt_text_in_its_pages_language_from_its_data(report_run, context):
    outputs, _ = report_run
    page = context.new_page()
    try:
        page.goto((outputs / UNIT / "2020" / "revenue_structure_zh.html").resolve().as_uri())
        alts = page.evaluate("Array.from(document.images).map(i => i.alt)")
        assert len(alts) == 1
        for shown in ("2020年收入结构", "年初结转和结余1,334.20万元（24.50%）",
                      "本年收入合计4,112.15万元（75.50%）", "占本年收入合计4,112.15万元的百分比",
                      "财政拨款收入2,018.84万元（49.09%，报告所述49.09%）"):
            assert shown in alts[0], (shown, alts[0])
        # what a screen reader is given: the image's accessible name is its description
        tree = page.locator("img").first.aria_snapshot()
        assert "年初结转和结余1,334.20万元" in tree, tree
        page.goto((outputs / UNIT / "2020" / "spending_mix_en.html").resolve().as_uri())
        alts = page.evaluate("Array.from(document.images).map(i => i.alt)")
        assert len(alts) == 3 and all("No description" not in a for a in alts)
        assert "as shares of total expenditure (5,446.35)" in alts[0], alts[0]
        assert "Carried forward to next year 1,351.71 (24.82%)" in alts[0], alts[0]
        assert "the year balances" in alts[1] and "Project spending share 81.06%" in alts[2]
    finally:
        page.close()


def test_audit_fails_on_the_placeholder_or_another_languages_alt(report_run, context, tmp_path):
    outputs, _ = report_run
    page = _broken_copy(outputs, tmp_path / "placeholder", "revenue_structure_zh",
                        r'alt="[^"]*"', 'alt="No description has been provided for this image"')
    problems = audit_page(context, page).problems
    assert any("placeholder" in p for p in problems), problems
    page = _broken_copy(outputs, tmp_path / "english", "spending_mix_zh",
                        r'alt="[^"]*"', 'alt="Where the money came from, 2020"')
    problems = audit_page(context, page).problems
    assert any("not in Chinese on a zh page" in p for p in problems), problems
    page = _broken_copy(outputs, tmp_path / "chinese", "spending_mix_en",
                        r'alt="[^"]*"', 'alt="2020年支出结构（万元）"')
    problems = audit_page(context, page).problems
    assert any("in Chinese on an en page" in p for p in problems), problems


def test_alt_rules():
    from luoshi_analysis.engine.browser import alt_problems

    src = "data:image/png;base64,AAAA"
    assert alt_problems([("2020年收入结构：收入总计5,446.35万元", src)], "zh") == []
    assert alt_problems([("Poor students (雨露计划) 95 persons", src)], "en") == []
    assert alt_problems([(None, src)], "en") and alt_problems([("  ", src)], "zh")
    assert alt_problems([("Revenue 2020", src)], "zh")
    assert alt_problems([("收入结构 (income)", src)], "en")


def test_axe_core_runs_offline_and_fails_a_serious_finding(context, tmp_path):
    _page(tmp_path, "index.html")
    good = _page(tmp_path / "2020", "report.html", index="../index.html")
    assert audit_page(context, good).problems == []
    bad = _page(tmp_path / "2020", "form.html", body='<p><input type="text"></p>'
                '<p style="color:#eee;background:#fff">浅灰色的字</p>', index="../index.html")
    problems = audit_page(context, bad).problems
    assert any(p.startswith("accessibility (critical): label") for p in problems), problems
    assert any("color-contrast" in p for p in problems), problems


def test_audit_fails_when_a_page_refers_to_an_outside_host(report_run, context, tmp_path):
    outputs, _ = report_run
    page = _broken_copy(outputs, tmp_path, "spending_mix_zh", r"</head>",
                        '<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/'
                        'require.min.js"></script></head>')
    problems = audit_page(context, page).problems
    assert any("outside host" in p and "cdnjs" in p for p in problems), problems


def test_audit_fails_when_the_heading_falls_back_to_a_non_cjk_face(report_run, no_cjk_context):
    outputs, _ = report_run
    audit = audit_page(no_cjk_context, outputs / UNIT / "2020" / "revenue_structure_zh.html")
    assert any("not a CJK face" in p for p in audit.problems), audit.problems


def _filled(page) -> float:
    """How far down its printed area (above the footer) a PDF page is filled, 0 to 1."""
    top, bottom = 14 / 25.4 * 72, page.height - 16 / 25.4 * 72
    ends = [c["bottom"] for c in page.chars if c["bottom"] < bottom]
    ends += [i["bottom"] for i in page.images]
    return (max(ends) - top) / (bottom - top) if ends else 0.0


def test_pdf_is_a4_with_selectable_chinese_whole_charts_and_numbered_pages(tmp_path):
    import pdfplumber

    outputs = tmp_path / "out"
    # a process of its own, as a user runs it (this module already drives a browser)
    run = subprocess.run(
        [sys.executable, "-m", "luoshi_analysis.cli", "run", *SEED_ONLY, "--year", "2020",
         "--lang", "zh", "--notebooks", "revenue_structure", "outcome_indicators", "--outputs", str(outputs),
         "--quiet", "--pdf"], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    for name, charts, most in (("revenue_structure", 1, 2), ("outcome_indicators", 7, 11)):
        reader = PdfReader(outputs / UNIT / "2020" / f"{name}_zh.pdf")
        first = reader.pages[0]
        assert round(float(first.mediabox.width)) == 595 and round(float(first.mediabox.height)) == 842
        text = "".join(page.extract_text() for page in reader.pages)
        assert "罗市镇人民政府2020年部门整体支出绩效评价报告" in text.replace("\n", "")
        assert not re.search("[\u2e80-\u2fdf]", text), "radical code points instead of 门, 支…"
        assert "← 全部报告" not in text, "navigation is hidden in print"
        placements = sum(len(page.images) for page in reader.pages)
        assert placements == charts, f"{name}: {placements} image placements for {charts} charts"
        total = len(reader.pages)
        assert total <= most, f"{name}: {total} pages"
        with pdfplumber.open(outputs / UNIT / "2020" / f"{name}_zh.pdf") as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                lines = page.extract_text().splitlines()
                # the footer: unit, year and report, and the page's number of all
                assert f"第{number}页，共{total}页" in lines[-1], lines[-1]
                assert "罗市镇人民政府2020年" in lines[-1], lines[-1]
                # a page is left short only where what follows would not fit on it
                if number < total:
                    assert _filled(page) > 0.3, f"{name} page {number} is {_filled(page):.0%} full"
                # a section's heading is printed on the page of its chart
                for section in ("（1）重点项目建设", "（3）脱贫攻坚", "（7）疫情防控"):
                    if any(line.strip() == section for line in lines):
                        assert page.images, f"{section} on page {number} without its chart"
    revenue = "".join(p.extract_text() for p in PdfReader(outputs / UNIT / "2020" /
                                                          "revenue_structure_zh.pdf").pages)
    assert "财政拨款收入" in revenue


def test_pdf_footer_is_in_the_pages_language():
    from luoshi_analysis.engine.pdf import footer_template

    english, chinese = footer_template("en"), footer_template("zh")
    assert 'Page <span class="pageNumber"></span> of <span class="totalPages"></span>' in english
    assert '第<span class="pageNumber"></span>页，共<span class="totalPages"></span>页' in chinese
    assert '<span class="title"' in english and "font-size: 8pt" in chinese


def test_check_pages_command_reports_each_page(report_run, tmp_path):
    outputs, _ = report_run
    shots = tmp_path / "shots"
    run = subprocess.run([sys.executable, "-m", "luoshi_analysis.cli", "check-pages",
                          "--outputs", str(outputs), "--screenshots", str(shots)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    # the collection's indexes (outputs/, outputs/collection/), the unit's, its 6 pages, 2 peers
    assert "11 of 11 pages work offline" in run.stdout
    assert (shots / "index.png").is_file() and (shots / UNIT / "2020" / "spending_mix_en.png").is_file()
    broken = tmp_path / "broken"
    shutil.copytree(outputs, broken)
    page = broken / UNIT / "2020" / "spending_mix_zh.html"
    page.write_text(page.read_text("utf-8").replace(
        "</head>", '<link rel="stylesheet" href="https://fonts.googleapis.com/css"></head>', 1),
        "utf-8")
    run = subprocess.run([sys.executable, "-m", "luoshi_analysis.cli", "check-pages",
                          "--outputs", str(broken)], capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert "request to an outside host: https://fonts.googleapis.com/css" in run.stdout


# --- pages made here: each way a page may reach out, and one that does not ----------------

GOOD_PAGE = """<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>罗市镇2020年部门整体支出绩效评价报告</title>
<style>body {{ font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC",
"Source Han Sans SC", sans-serif; }}</style>{head}</head>
<body><h1>罗市镇2020年报告</h1><p><a href="{index}">全部报告</a> <a href="#top">顶部</a></p>
{body}</body></html>"""

BAD_PAGES = {
    "meta refresh to an outside host": (
        '<meta http-equiv="refresh" content="5; url=https://refresh.example.org/">', "",
        "https://refresh.example.org/"),
    "preconnect": ('<link rel="preconnect" href="https://fonts.gstatic.com">', "",
                   "fonts.gstatic.com"),
    "dns-prefetch": ('<link rel="dns-prefetch" href="//dns.example.net">', "", "dns.example.net"),
    "prefetch": ('<link rel="prefetch" href="https://prefetch.example.org/next.html">', "",
                 "prefetch.example.org"),
    "preload": ('<link rel="preload" as="font" href="https://font.example.org/f.woff2">', "",
                "font.example.org"),
    "form action": ("", '<form action="https://collect.example.org/f"><input name="q"></form>',
                    "collect.example.org"),
    "beacon after 30 s": (
        "", '<script>setTimeout(() => navigator.sendBeacon("https://beacon.example.org/b", "x"),'
        " 30000)</script>", "request to an outside host: https://beacon.example.org/b"),
    "fetch after an hour": (
        "", '<script>setTimeout(() => fetch("https://late.example.org/f").catch(() => 0),'
        " 3600000)</script>", "request to an outside host: https://late.example.org/f"),
    "image after 5 s": (
        "", '<script>setTimeout(() => { new Image().src = "https://px.example.org/p.gif"; },'
        " 5000)</script>", "request to an outside host: https://px.example.org/p.gif"),
    "redirect by a script later": (
        "", '<script>setTimeout(() => { location.href = "https://away.example.org/"; }, 8000)'
        "</script>", "request to an outside host: https://away.example.org/"),
    "link inserted by a script": (
        "", "<script>const l = document.createElement('link'); l.rel = 'preconnect';"
        " l.href = 'https://inserted.example.org'; document.head.appendChild(l);</script>",
        "page after its scripts ran refers to an outside host: <link href> "
        "https://inserted.example.org"),
    "srcset": ("", '<img alt="" srcset="https://srcset.example.org/a.png 2x">',
               "srcset.example.org"),
    "CSS url()": ("<style>h1 { background: url('https://css.example.org/bg.png'); }</style>", "",
                  "css.example.org"),
    "CSS @import": ('<style>@import "https://import.example.org/s.css";</style>', "",
                    "import.example.org"),
    "protocol-relative script": ('<script src="//cdn.example.org/x.js"></script>', "",
                                 "cdn.example.org"),
    "link to a file above the outputs": (
        "", '<a href="../../../../../../etc/passwd">x</a>',
        "a file outside the outputs folder: <a href> ../../../../../../etc/passwd"),
    "link to the file system root": (
        "", '<a href="file:///">x</a>', "a file outside the outputs folder: <a href> file:///"),
    "absolute path": ("", '<a href="/etc/passwd">x</a>',
                      "a file outside the outputs folder: <a href> /etc/passwd"),
    "image from an absolute path": (
        "", '<img alt="" src="/usr/share/pixmaps/debian-logo.png">',
        "a file outside the outputs folder: <img src>"),
}


def _page(folder, name, head="", body="", index="index.html"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(GOOD_PAGE.format(head=head, body=body, index=index), "utf-8")
    return path


def test_a_plain_local_page_passes(context, tmp_path):
    _page(tmp_path, "index.html")
    page = _page(tmp_path / "2020", "report.html", index="../index.html")
    audit = audit_page(context, page)
    assert audit.problems == []
    assert "罗市镇" in audit.title


@pytest.mark.parametrize("case", list(BAD_PAGES))
def test_a_page_that_reaches_out_fails(context, tmp_path, case):
    head, body, expected = BAD_PAGES[case]
    _page(tmp_path, "index.html")
    page = _page(tmp_path / "2020", "report.html", head, body, index="../index.html")
    problems = audit_page(context, page, root=tmp_path).problems
    assert any(expected in p for p in problems), problems


def _luoshi(*args, env=None):
    return subprocess.run([sys.executable, "-m", "luoshi_analysis.cli", *args],
                          capture_output=True, text=True, check=False, env=env)


def test_check_pages_audits_every_page_under_the_folder(tmp_path):
    outputs = tmp_path / "outputs"
    _page(outputs, "index.html")
    _page(outputs / "2020", "report.html", index="../index.html")
    head, body, _ = BAD_PAGES["beacon after 30 s"]
    _page(outputs / "extra" / "deeper", "notes.html", head, body, index="../../index.html")
    _page(outputs / "extra", "escape.html",
          '<script>console.error("\\x1b]0;owned\\x07\\x1b[2J");</script>',
          '<a href="/etc/passwd">x</a>', index="../index.html")
    run = _luoshi("check-pages", "--outputs", str(outputs))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "extra/deeper/notes.html: " in run.stdout
    assert "request to an outside host: https://beacon.example.org/b" in run.stdout
    assert "extra/escape.html: " in run.stdout and "\x1b" not in run.stdout
    assert "console error: \\x1b]0;owned\\x07\\x1b[2J" in run.stdout  # shown, not obeyed
    assert "2 of 4 pages work offline" in run.stdout


def test_check_pages_without_chromium_names_what_to_install(tmp_path):
    _page(tmp_path, "index.html")
    env = {**os.environ, "PATH": str(tmp_path / "no-bin")}
    env.pop("LUOSHI_CHROMIUM", None)
    run = _luoshi("check-pages", "--outputs", str(tmp_path), env=env)
    assert run.returncode == 2, run.stdout + run.stderr
    assert len(run.stderr.splitlines()) == 1 and "Traceback" not in run.stderr
    assert "apt-get install chromium" in run.stderr and "make browser-deps" in run.stderr
    env["LUOSHI_CHROMIUM"] = str(tmp_path / "missing-chromium")
    run = _luoshi("check-pages", "--outputs", str(tmp_path), env=env)
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1
    assert "LUOSHI_CHROMIUM" in run.stderr and "missing-chromium" in run.stderr


def test_check_pages_of_a_folder_that_is_not_there(tmp_path):
    run = _luoshi("check-pages", "--outputs", str(tmp_path / "nowhere"))
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1
    assert "nowhere" in run.stderr


def test_pages_of_another_unit_pass_check_pages_and_must_name_it(tmp_path):
    from notebook_helpers import OTHER_UNIT, another_unit_data

    data = another_unit_data(tmp_path)
    outputs = tmp_path / "outputs"
    run = _luoshi("--data-dir", str(data), "run", "--year", "2020", "--notebooks",
                  "spending_mix", "--outputs", str(outputs), "--quiet")
    assert run.returncode == 0, run.stdout + run.stderr
    run = _luoshi("check-pages", "--outputs", str(outputs))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "4 of 4 pages work offline" in run.stdout
    # a title naming a unit other than the one the data folder holds is a problem
    page = outputs / OTHER_UNIT[0] / "2020" / "spending_mix_en.html"
    page.write_text(page.read_text("utf-8").replace(
        f"<title>{OTHER_UNIT[1]}: 2020", "<title>People's Government of Luoshi Town: 2020", 1),
        "utf-8")
    run = _luoshi("check-pages", "--outputs", str(outputs))
    assert run.returncode == 1, run.stdout
    problem = next(line for line in run.stdout.splitlines() if "does not name" in line)
    assert OTHER_UNIT[0] in problem and OTHER_UNIT[1] in problem, problem


def test_title_rule_without_a_manifest_names_no_town():
    from luoshi_analysis.engine.browser import title_problem

    assert title_problem("青山乡2021年部门整体支出绩效评价报告") is None
    assert title_problem("Qingshan Township: 2021 performance evaluation report") is None
    assert title_problem("2021年部门整体支出绩效评价报告"), "no unit before the year"
    assert title_problem("青山乡2021年部门整体支出绩效评价报告", ("青山乡人民政府",))
    assert title_problem("青山乡人民政府 budget", ("青山乡人民政府",)), "no year, no report"
    # a 部门决算's or 部门预算's pages name the document by its kind, not 报告
    assert title_problem("青山乡人民政府2024年部门预算 · 收入结构", ("青山乡人民政府",)) is None
    assert title_problem("Qingshan: 2022 final accounts · Spending mix", ("Qingshan",)) is None
