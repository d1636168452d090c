"""Readers: web page, PDF, Word, Excel files made in the tests; bad files; 2020 in each format."""

import hashlib
import os
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import RAW_2020
from report_files import (
    compound_file,
    docx_bytes,
    encrypt_office,
    encrypt_pdf,
    html_page,
    pdfs_from_html,
    strip_character_maps,
    xls_bytes,
    xlsx_bytes,
)

from luoshi_analysis import IngestError, load_budget, load_indicators, read_source
from luoshi_analysis.cli import main
from luoshi_analysis.core.provenance import raw_text, verify_raw
from luoshi_analysis.core.terminal import for_terminal
from luoshi_analysis.ingest import ingest
from luoshi_analysis.ingest.limits import MAX_TEXT_BYTES
from luoshi_analysis.ingest.normalize import clean_extracted, normalize
from luoshi_analysis.ingest.readers import read_bounded, read_report

TOTAL_TABLE = [
    ["项目", "决算数", "项目", "决算数"],
    ["本年收入合计", "4,112.15", "本年支出合计", "4,094.64"],
    ["年初结转和结余", "1,334.20", "年末结转和结余", "1,351.71"],
    ["收入总计", "5,446.35", "支出总计", "5,446.35"],
]
CANVAS_ONLY = (  # a page whose words are pixels: printed, it has no text layer, like a scan
    "<html><body><canvas id='c' width='600' height='120'></canvas><script>"
    "const g=document.getElementById('c').getContext('2d');g.font='32px sans-serif';"
    "g.fillText('收入总计5446.35万元',10,60);</script></body></html>")


def report_text() -> str:
    return RAW_2020.read_text("utf-8")


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    """PDFs printed by Chromium: the 2020 report, a page with a ruled table, a 'scan'."""
    return pdfs_from_html({
        "report": html_page(report_text()),
        "table": html_page("2021年度收入支出决算总表\n单位：万元", table=TOTAL_TABLE),
        "scan": CANVAS_ONLY,
    })


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- each reader --------------------------------------------------------------------------------

def test_web_page_in_gbk_honours_meta_charset_and_flattens_tables(tmp_path):
    # 祎 is in GBK but not in GB2312: pages labelled gb2312 hold such characters
    page = html_page("单位名称：邵阳市大祥区祎园街道办事处\n收入总计5446.35万元。", charset="gb2312",
                     table=TOTAL_TABLE,
                     extra_head="<script>var s='收入总计1.00万元';</script><style>p{color:red}</style>")
    read = read_report(_file(tmp_path, "page.htm", page.encode("gbk")))
    assert (read.format, read.encoding) == ("html", "gb18030")
    lines = read.text.splitlines()
    assert "单位名称：邵阳市大祥区祎园街道办事处" in lines
    assert "本年收入合计\t4,112.15\t本年支出合计\t4,094.64" in lines
    assert "收入总计1.00万元" not in read.text and "color" not in read.text  # script, style dropped


def test_web_page_is_told_by_content_not_name(tmp_path):
    page = html_page("收入总计5446.35万元，支出总计5446.35万元。")
    read = read_report(_file(tmp_path, "report.txt", page.encode("utf-8")))
    assert read.format == "html" and "<p>" not in read.text


def test_pdf_text_layer_radicals_folded_and_ruled_table_rows(tmp_path, pdfs):
    read = read_report(_file(tmp_path, "r.pdf", pdfs["report"]))
    assert read.format == "pdf"
    # Chromium's CJK font maps 门, 人, 支 … to radical code points; the reader folds them back
    assert not [ch for ch in read.text if "\u2e80" <= ch <= "\u2fdf"]
    assert "部门整体支出绩效评价报告" in read.text
    table = read_report(_file(tmp_path, "t.pdf", pdfs["table"])).text.splitlines()
    assert "本年收入合计\t4,112.15\t本年支出合计\t4,094.64" in table
    assert table.index("2021年度收入支出决算总表") < table.index("收入总计\t5,446.35\t支出总计\t5,446.35")


def test_pdf_read_regardless_of_its_name(tmp_path, pdfs):
    assert read_report(_file(tmp_path, "report.html", pdfs["table"])).format == "pdf"


def test_pdf_artefacts_are_cleaned():
    assert clean_extracted("部⻔整体⽀出 5446 .35 万元，1, 334.20 和 5446. 35") == (
        "部门整体支出 5446.35 万元，1,334.20 和 5446.35")
    assert clean_extracted("5446.35 1334.20") == "5446.35 1334.20"  # two numbers stay two
    assert normalize("⻔⼈").text == "门人"


def test_word_paragraphs_and_tables_in_document_order(tmp_path):
    data = docx_bytes(["2021年度收入支出决算总表", TOTAL_TABLE, "（注：单位为万元）"])
    read = read_report(_file(tmp_path, "r.docx", data))
    assert read.format == "docx"
    assert read.text.splitlines() == ["2021年度收入支出决算总表", *("\t".join(r) for r in TOTAL_TABLE),
                                      "（注：单位为万元）"]


def test_xlsx_total_table_rows_as_lines_with_amounts_as_shown(tmp_path):
    data = xlsx_bytes({"说明": [["部门决算公开说明"]], "收入支出决算总表": [
        ["收入支出决算总表", None, None], ["项目", "行次", "金额"], ["本年收入合计", 1, 4112.15],
        ["年初结转和结余", 2, 1334.2], [None, None, None], ["收入总计", 3, 5446.35]]})
    read = read_report(_file(tmp_path, "b.xlsx", data))
    assert read.format == "xlsx"
    lines = read.text.splitlines()
    assert lines[lines.index("收入支出决算总表"):] == [
        "收入支出决算总表", "收入支出决算总表", "项目\t行次\t金额", "本年收入合计\t1\t4,112.15",
        "年初结转和结余\t2\t1,334.20", "收入总计\t3\t5,446.35"]


def test_legacy_xls_total_table(tmp_path):
    data = xls_bytes({"决算01表": [["收入支出决算总表"], ["项目", "金额"], ["本年收入合计", 4112.15],
                                   ["收入总计", 5446.35], ["行数", 3.0]]})
    read = read_report(_file(tmp_path, "b.xls", data))
    assert read.format == "xls"
    assert read.text.splitlines() == ["决算01表", "收入支出决算总表", "项目\t金额", "本年收入合计\t4112.15",
                                      "收入总计\t5446.35", "行数\t3"]


# -- bad files: one clear line each -------------------------------------------------------------

def _bad(tmp_path: Path, name: str, data: bytes, message: str, capsys) -> None:
    path = _file(tmp_path, name, data)
    with pytest.raises(IngestError, match=re.escape(message)):
        read_report(path)
    root = tmp_path / "data"
    assert main(["--data-dir", str(root), "ingest", str(path), "--year", "2021"]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert not root.exists()


def test_scanned_pdf(tmp_path, pdfs, capsys):
    _bad(tmp_path, "scan.pdf", pdfs["scan"], "the PDF has no text layer", capsys)


def test_password_protected_pdf(tmp_path, pdfs, capsys):
    _bad(tmp_path, "locked.pdf", encrypt_pdf(pdfs["table"]), "the PDF is password-protected", capsys)


def test_pdf_whose_fonts_have_no_character_map(tmp_path, pdfs, capsys):
    data = strip_character_maps(pdfs["table"])
    _bad(tmp_path, "cid.pdf", data, "the PDF's fonts have no character map", capsys)


def test_password_protected_word_file(tmp_path, capsys):
    data = encrypt_office(docx_bytes(["收入总计5446.35万元"]))
    _bad(tmp_path, "locked.docx", data, "a password-protected Office file", capsys)


def test_legacy_word_doc(tmp_path, capsys):
    data = compound_file({"WordDocument": b"\xec\xa5" + b"\0" * 200, "1Table": b"\0" * 64})
    _bad(tmp_path, "old.doc", data, "a legacy Word .doc file; save it as .docx", capsys)


def test_password_protected_or_damaged_xls(tmp_path, capsys):
    locked = xls_bytes({"Sheet1": [["收入总计", 1.0]]}, encrypted=True)
    _bad(tmp_path, "locked.xls", locked, "a password-protected .xls workbook", capsys)
    damaged = compound_file({"Workbook": b"not a workbook" * 8})
    _bad(tmp_path, "damaged.xls", damaged, "cannot read the .xls workbook", capsys)


def test_workbook_without_a_total_table(tmp_path, capsys):
    data = xlsx_bytes({"人员": [["姓名", "岗位"], ["张三", "会计"]], "支出": [["办公费", 12.5]]})
    _bad(tmp_path, "staff.xlsx", data, "the workbook has no 收入支出决算总表", capsys)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("noise.bin", os.urandom(4096), "binary file"),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + os.urandom(512), "an image, not text"),
    ("broken.pdf", b"%PDF-1.7\n" + os.urandom(512), "not a readable PDF"),
])
def test_unknown_binary(tmp_path, name, data, message, capsys):
    _bad(tmp_path, name, data, message, capsys)


def test_web_page_saved_as_utf16(tmp_path):
    page = html_page("收入总计5446.35万元。", table=TOTAL_TABLE)
    read = read_report(_file(tmp_path, "page.html", page.encode("utf-16")))
    assert read.format == "html" and "<td>" not in read.text
    assert "收入总计\t5,446.35\t支出总计\t5,446.35" in read.text.splitlines()


def test_a_zip_that_unpacks_to_over_100_mb_is_refused_unopened(tmp_path, capsys):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open(
            "word/document.xml", "w") as member:
        for _ in range(101):
            member.write(b"\0" * (1024 * 1024))
    _bad(tmp_path, "bomb.docx", path.read_bytes(), "unpacks to 101 MB, more than 100 MB", capsys)


@pytest.mark.parametrize(("member", "message"), [
    ("readme.txt", "a zip archive that is not a Word"),
    ("OFD.xml", "an OFD document (版式文档); export it as PDF"),
])
def test_zip_that_is_not_word_or_excel(tmp_path, member, message, capsys):
    path = tmp_path / "files.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, "收入总计5446.35万元")
    _bad(tmp_path, "files.docx", path.read_bytes(), message, capsys)


# -- bounded input ------------------------------------------------------------------------------

def test_a_file_over_20_mb_is_refused_before_reading(tmp_path, capsys):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: no 21 MB written to disk
        handle.truncate(21 * 1024 * 1024)
    with pytest.raises(IngestError, match=r"larger than 20 MB.*this file is 21\.0 MB"):
        read_report(path)


def test_a_pdf_of_too_many_pages_is_refused_before_its_pages_are_read(tmp_path, capsys):
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(501):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    _bad(tmp_path, "book.pdf", out.getvalue(), "501 pages; a report is at most 500 pages", capsys)


def test_text_over_the_limit_after_reading_is_refused(tmp_path):
    line = "收入总计5446.35万元，支出总计5446.35万元。\n".encode()
    path = _file(tmp_path, "long.txt", line * (MAX_TEXT_BYTES // len(line) + 1))
    with pytest.raises(IngestError, match="the text read from it is larger than 5 MB"):
        read_report(path)


def test_devices_and_fifos_are_refused_without_reading(tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    for path in (Path("/dev/zero"), fifo, tmp_path):
        with pytest.raises(IngestError, match="not a regular file|a folder"):
            read_report(path)
    assert main(["--data-dir", str(tmp_path / "data"), "ingest", "/dev/zero", "--year", "2021"]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_a_file_longer_than_its_stated_size_is_read_only_to_the_limit():
    # /proc files say they are empty and then give more: the read itself must stop at the limit
    path = Path("/proc/self/maps")
    assert path.stat().st_size == 0
    with pytest.raises(IngestError, match="larger than"):
        read_bounded(path, limit=16)


def test_report_control_characters_never_reach_the_terminal(tmp_path, capsys):
    text = ("2021年度邵阳市大祥区罗市镇人民政府\x1b]0;owned\x07\x1b[2J部门整体支出绩效评价报告\n"
            "2021年度收入总计100.00万元，支出总计100.00万元。\n" + "全年工作稳步推进。\n" * 40)
    path = _file(tmp_path, "r.txt", text.encode())
    assert main(["--data-dir", str(tmp_path / "data"), "ingest", str(path), "--year", "2021"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J" in out
    assert for_terminal("a\u202eb\x9bc") == "a\\u202eb\\x9bc"


# -- the 2020 report, published as a web page, a PDF and a Word file ----------------------------

def _curated_budget_matches(root: Path) -> None:
    curated = load_budget(2020)
    found = load_budget(2020, root)
    columns = ["line", "key", "direction", "level", "parent_key", "label_zh", "amount",
               "amount_as_written", "stated_share_pct"]
    pd.testing.assert_frame_equal(found[columns], curated[columns])
    text = raw_text(2020, root)  # the stored read text, its sha256 verified
    missing = [f for f in found["source_fragment"] if f not in text]
    assert not missing


def _layout_page(text: str) -> str:
    """An older site's page: the report is one cell of a layout table, beside a menu cell."""
    body = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
    return (f'<html><head><meta charset="utf-8"></head><body><table><tr><td>首页</td><td>政务公开</td>'
            f"</tr><tr><td>信息公开</td><td>{body}<table><tr><td>收入总计</td><td>5,446.35</td></tr>"
            f"</table></td></tr></table></body></html>")


@pytest.mark.parametrize("fmt", ["html", "gbk-html", "layout-html", "mhtml", "pdf", "docx"])
def test_2020_report_in_each_format_gives_the_curated_budget(fmt, tmp_path, pdfs):
    text = report_text()
    data = {
        "html": lambda: html_page(text).encode("utf-8"),
        "gbk-html": lambda: html_page(text, charset="gbk").replace(  # the older way to declare it
            '<meta charset="gbk">', '<meta http-equiv="Content-Type" content="text/html; charset=gbk">'
        ).encode("gbk", "xmlcharrefreplace"),
        "layout-html": lambda: _layout_page(text).encode("utf-8"),
        "mhtml": lambda: pdfs["report.mhtml"],
        "pdf": lambda: pdfs["report"],
        "docx": lambda: docx_bytes([line for line in text.splitlines() if line.strip()]),
    }[fmt]()
    fmt = fmt.rpartition("-")[2]
    report = _file(tmp_path, f"report.{fmt}", data)
    root = tmp_path / "data"
    ingest(report, 2020, root)
    _curated_budget_matches(root)
    found = load_indicators(2020, root)  # section headings stay on lines of their own
    assert set(found["section"]) == set(range(1, 9)) and len(found) >= 101
    if fmt == "layout-html":
        assert "收入总计\t5,446.35" in raw_text(2020, root).splitlines()
    source = verify_raw(2020, root)
    assert source.format == fmt
    stored = root / source.raw_file
    assert stored.read_bytes() == data and stored.suffix == f".{source.format}"
    read_file = root / source.read_text_file
    assert source.read_text_file == source.raw_file + ".read.txt"
    assert hashlib.sha256(read_file.read_bytes()).hexdigest() == source.read_text_sha256
    assert (source.issuer, source.district, source.city) == ("罗市镇人民政府", "大祥区", "邵阳市")
    assert read_source(2020, root).title == "2020年度邵阳市大祥区罗市镇人民政府部门整体支出绩效评价报告"


def test_trace_and_validate_work_on_a_pdf_year(tmp_path, pdfs, capsys):
    root = tmp_path / "data"
    ingest(_file(tmp_path, "r.pdf", pdfs["report"]), 2020, root)
    assert main(["--data-dir", str(root), "trace", "--year", "2020", "revenue_total"]) == 0
    assert "收入总计5446.35万元" in capsys.readouterr().out
    assert main(["--data-dir", str(root), "validate"]) == 0
    read_file = root / read_source(2020, root).read_text_file
    read_file.write_text(read_file.read_text("utf-8").replace("5446.35", "5446.36"), "utf-8")
    assert main(["--data-dir", str(root), "validate"]) == 2
    assert "read texts are never edited" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "expected"), [
    ("2020年度邵阳市大祥区罗市镇人民政府\n部门整体支出绩效评价报告\n基本情况",
     ("罗市镇人民政府", "大祥区", "邵阳市")),
    ("当前位置：首页 > 政务公开 > 财政预决算\n政务公开 财政预决算\n邵阳市大祥区罗市镇卫生院2021年度部门决算\n"
     "单位：万元",
     ("罗市镇卫生院", "大祥区", "邵阳市")),
    ("关于2021年度部门整体支出绩效自评的报告\n单位名称：大祥区檀江街道办事处\n",
     ("檀江街道办事处", "大祥区", "")),
    ("收入支出决算总表\n单位：万元\n收入总计\t5,446.35", ("", "", "")),
])
def test_issuer_from_title_or_stated_unit(text, expected):
    from luoshi_analysis.ingest.issuer import find_issuer

    found = find_issuer(text)
    assert (found.issuer, found.district, found.city) == expected


def test_same_unit_allows_a_place_before_the_name_but_not_another_unit():
    from luoshi_analysis.ingest.issuer import same_unit

    assert same_unit("罗市镇政府", "罗市镇人民政府")
    assert same_unit("大祥区罗市镇人民政府", "罗市镇人民政府")
    assert not same_unit("罗市镇卫生院", "罗市镇人民政府")
    assert not same_unit("", "罗市镇人民政府")
