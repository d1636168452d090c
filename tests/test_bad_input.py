"""Each bad input gives one clear line: a typed exception, and exit 2 from the CLI."""

import json
import shutil
import subprocess
import sys

import pytest
from notebook_helpers import UNIT

from luoshi_analysis import (
    DataFolderError,
    DataValidationError,
    ProvenanceError,
    UnknownYearError,
    load_budget,
    load_indicators,
)
from luoshi_analysis.cli import main

BUDGET = "processed/2020/budget.csv"
INDICATORS = "processed/2020/indicators.csv"


def _edit(root, relative, old, new, count=1):
    path = root / relative
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), "utf-8")


def _drop_column(root, relative, column):
    path = root / relative
    lines = path.read_text("utf-8").splitlines()
    index = lines[0].split(",").index(column)
    # the dropped column holds no commas in any row of the shipped tables
    rows = [",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines]
    path.write_text("\n".join(rows) + "\n", "utf-8")


CASES = {
    "missing column": (
        lambda r: _drop_column(r, INDICATORS, "unit"), load_indicators, DataValidationError,
        ["indicators.csv", "missing column 'unit'"]),
    "stray character in a number": (
        lambda r: _edit(r, BUDGET, ",5446.35,5446.35,", ",5446.35x,5446.35,"), load_budget,
        DataValidationError, ["budget.csv", "line 2", "'amount'", "'5446.35x'", "not a number"]),
    "negative amount": (
        lambda r: _edit(r, BUDGET, ",775.34,775.34,", ",-775.34,775.34,"), load_budget,
        DataValidationError, ["budget.csv", "line 14", "'amount'", "below the minimum 0"]),
    "duplicate key": (
        lambda r: _edit(r, INDICATORS, "park_enterprises,", "park_enterprises_in_production,"),
        load_indicators, DataValidationError,
        ["indicators.csv", "duplicate key", "park_enterprises_in_production", "first on line"]),
    "unknown unit": (
        lambda r: _edit(r, INDICATORS, ",18000,18000,头,", ",18000,18000,头 18,"), load_indicators,
        DataValidationError, ["indicators.csv", "line 20", "'unit'", "'头 18' is not a unit as written",
                              "no digits or spaces"]),
    "unknown qualifier": (
        lambda r: _edit(r, INDICATORS, ",万亩,nearly,", ",万亩,about,"), load_indicators,
        DataValidationError, ["'qualifier'", "'about' is not allowed", "more_than"]),
    "raw report edited": (
        lambda r: (r / "raw/2020/luoshi_2020_performance_report.txt").open("a").write(" "),
        load_budget, ProvenanceError, ["luoshi_2020_performance_report.txt", "sha256", "never edited"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_library_raises_a_typed_error_naming_file_line_and_field(case, data_copy):
    edit, loader, error, words = CASES[case]
    edit(data_copy)
    with pytest.raises(error) as raised:
        loader(2020)
    message = str(raised.value)
    assert "\n" not in message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize("case", list(CASES))
def test_cli_prints_one_line_and_exits_2(case, data_copy, capsys):
    CASES[case][0](data_copy)
    assert main(["validate"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("luoshi: error: ")
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_unknown_year_lists_the_years_available(capsys):
    with pytest.raises(UnknownYearError, match="unknown year 1999.*2020"):
        load_budget(1999)
    assert main(["tables", "--year", "1999"]) == 2
    assert "years with data are 2020" in capsys.readouterr().err


def test_missing_data_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LUOSHI_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(DataFolderError, match="nowhere"):
        load_budget(2020)
    assert main(["validate"]) == 2
    assert "data folder" in capsys.readouterr().err


def test_real_process_exits_2_without_traceback_unless_debug(data_copy):
    _edit(data_copy, BUDGET, ",775.34,775.34,", ",-775.34,775.34,")
    command = [sys.executable, "-m", "luoshi_analysis.cli", "validate"]
    quiet = subprocess.run(command, capture_output=True, text=True, check=False)
    assert quiet.returncode == 2
    assert quiet.stderr.count("\n") == 1 and "Traceback" not in quiet.stderr
    loud = subprocess.run([*command[:3], "--debug", "validate"], capture_output=True, text=True,
                          check=False)
    assert loud.returncode != 0 and "Traceback" in loud.stderr


def test_validate_reports_violations_with_exit_1(data_copy, capsys):
    _edit(data_copy, BUDGET, ",775.34,775.34,", ",776.34,776.34,")
    assert main(["validate"]) == 1
    captured = capsys.readouterr()
    assert "VIOLATION 2020 sum:expenditure_current_year" in captured.err
    assert "difference -1.0000" in captured.err


def test_validate_and_tables_succeed_on_shipped_data(capsys):
    assert main(["validate"]) == 0
    assert "all checks hold" in capsys.readouterr().out
    assert main(["tables", "--year", "2020", "--table", "budget", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("year,line,key,direction")
    assert len(out.splitlines()) == 18
    assert main(["trace", "--year", "2020", "canals_lined_length"]) == 0
    assert "水渠硬化5条6500米" in capsys.readouterr().out


# --- every bad input a user may meet, through the CLI as a user runs it ---------------------

DATAPACKAGE = "processed/2020/datapackage.json"


def _header_only(root, relative):
    path = root / relative
    path.write_text(path.read_text("utf-8").splitlines()[0] + "\n", "utf-8")


def _source(root, name, value):
    path = root / DATAPACKAGE
    descriptor = json.loads(path.read_text("utf-8"))
    if value is None:
        del descriptor["sources"][0][name]
    else:
        descriptor["sources"][0][name] = value
    path.write_text(json.dumps(descriptor, ensure_ascii=False), "utf-8")


def _write(root, relative, data):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, "utf-8")


CLI_CASES = {
    "budget with only a header": (
        lambda r: _header_only(r, BUDGET), ["budget.csv", "header but no rows"]),
    "empty budget file": (lambda r: _write(r, BUDGET, ""), ["budget.csv", "is empty", "year,line"]),
    "parent_key naming no line": (
        lambda r: _edit(r, BUDGET, ",revenue_current_year,财政拨款收入", ",revenue_nowhere,财政拨款收入"),
        ["budget.csv", "line 5", "'parent_key'", "'revenue_nowhere'", "must name the key"]),
    "parent_key cycle": (
        lambda r: _edit(r, BUDGET, ",revenue_current_year,财政拨款收入",
                        ",revenue_fiscal_appropriation,财政拨款收入"),
        ["budget.csv", "line 5", "'parent_key'", "cycle"]),
    "stated share without a parent": (
        lambda r: _edit(r, BUDGET, ",revenue_current_year,财政拨款收入", ",,财政拨款收入"),
        ["budget.csv", "line 5", "'stated_share_pct'", "'parent_key' is empty"]),
    "full-width digits": (
        lambda r: _edit(r, BUDGET, ",5446.35,5446.35,", ",５４４６.35,5446.35,"),
        ["budget.csv", "line 2", "'amount'", "'５４４６.35'", "ASCII digits 0-9"]),
    "Arabic-Indic digits": (
        lambda r: _edit(r, INDICATORS, ",18,18,家,", ",١٨,18,家,"),
        ["indicators.csv", "line 4", "'value'", "ASCII digits 0-9"]),
    "full-width year": (
        lambda r: _edit(r, BUDGET, "2020,1,", "２０２０,1,"), ["budget.csv", "'year'", "ASCII"]),
    "400-digit amount": (
        lambda r: _edit(r, BUDGET, ",5446.35,5446.35,", "," + "9" * 400 + ",5446.35,"),
        ["budget.csv", "line 2", "'amount'", "400 characters", "too large", "12 digits"]),
    "400-digit line number": (
        lambda r: _edit(r, BUDGET, "2020,1,", "2020," + "1" * 400 + ","),
        ["budget.csv", "'line'", "too large"]),
    "duplicate key prints the year plainly": (
        lambda r: _edit(r, BUDGET, "revenue_carryover,", "revenue_total,"),
        ["budget.csv", "line 3", "duplicate key (year=2020, key='revenue_total')"]),
    "row wider than the header": (
        lambda r: _edit(r, BUDGET, "收入总计5446.35万元", "收入总计5446.35万元,extra"),
        ["budget.csv", "line 2", "13 fields, the header has 12"]),
    "quote never closed": (
        lambda r: _edit(r, BUDGET, "年初结转和结余1334.20万元", '"年初结转和结余1334.20万元'),
        ["budget.csv", "line 3", "quote"]),
    "column twice in the header": (
        lambda r: _edit(r, INDICATORS, ",unit,qualifier,", ",unit,unit,"),
        ["indicators.csv", "line 1", "'unit' appears twice"]),
    "NUL character": (
        lambda r: _edit(r, BUDGET, "收入总计5446.35万元", "收入总计\x005446.35万元"),
        ["budget.csv", "line 2", "NUL"]),
    "CSV not UTF-8": (
        lambda r: _write(r, BUDGET, (r / BUDGET).read_bytes().replace(
            "年初结转和结余1334.20".encode(), "年初结转和结余1334.20".encode("gb18030"))),
        ["budget.csv", "line 3", "not UTF-8"]),
    "raw_file not a string": (
        lambda r: _source(r, "raw_file", 5),
        ["datapackage.json", "'raw_file'", "is 5", "expected a string"]),
    "raw_file outside the data folder": (
        lambda r: _source(r, "raw_file", "../../etc/passwd"),
        ["datapackage.json", "'raw_file'", "'../../etc/passwd'", "inside the data folder"]),
    "raw_file an absolute path": (
        lambda r: _source(r, "raw_file", "/etc/passwd"),
        ["datapackage.json", "'raw_file'", "inside the data folder"]),
    "unknown encoding": (
        lambda r: _source(r, "encoding_as_received", "klingon"),
        ["datapackage.json", "'encoding_as_received'", "'klingon'", "utf-8, gb18030"]),
    "a codec that is not a text encoding": (
        lambda r: _source(r, "encoding_as_received", "rot13"),
        ["datapackage.json", "'encoding_as_received'", "'rot13'"]),
    "year as a string": (
        lambda r: _source(r, "year", "2020"),
        ["datapackage.json", "'year'", "expected a whole number"]),
    "year of another folder": (
        lambda r: _source(r, "year", 2019), ["datapackage.json", "'year'", "2019", "2020"]),
    "sha256 missing": (
        lambda r: _source(r, "sha256", None), ["datapackage.json", "'sha256'", "missing"]),
    "sha256 not hex": (
        lambda r: _source(r, "sha256", "abc"), ["datapackage.json", "'sha256'", "64 hex digits"]),
    "amount_factor not a number": (
        lambda r: _source(r, "amount_factor", "10000"),
        ["datapackage.json", "'amount_factor'", "expected a whole number"]),
    "source record not an object": (
        lambda r: _write(r, DATAPACKAGE, '{"sources": ["raw/2020/report.txt"]}'),
        ["datapackage.json", "sources[0]", "expected an object"]),
    "no sources": (lambda r: _write(r, DATAPACKAGE, "[]"), ["datapackage.json", "'sources'"]),
    "datapackage not JSON": (
        lambda r: _write(r, DATAPACKAGE, '{"sources": [\n}'),
        ["datapackage.json", "not valid JSON", "line 2"]),
    "datapackage not UTF-8": (
        lambda r: _write(r, DATAPACKAGE, b'{"title": "\xc2\xde"}'),
        ["datapackage.json", "not UTF-8"]),
    "datapackage missing": (
        lambda r: (r / DATAPACKAGE).unlink(), ["datapackage.json", "missing"]),
    "raw report missing": (
        lambda r: (r / "raw/2020/luoshi_2020_performance_report.txt").unlink(),
        ["luoshi_2020_performance_report.txt", "missing", "sha256"]),
    "indicators missing": (
        lambda r: (r / INDICATORS).unlink(), ["indicators.csv", "missing"]),
    "negative amount": (
        lambda r: _edit(r, BUDGET, ",775.34,775.34,", ",-775.34,775.34,"),
        ["budget.csv", "line 14", "'amount'", "below the minimum 0"]),
}


def _luoshi(*args, env=None):
    """Run the CLI in a process of its own, as a user does."""
    return subprocess.run([sys.executable, "-m", "luoshi_analysis.cli", *args],
                          capture_output=True, text=True, check=False, env=env)


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_each_bad_input_is_one_line_naming_file_and_field(case, data_copy):
    edit, words = CLI_CASES[case]
    edit(data_copy)
    run = _luoshi("--data-dir", str(data_copy), "validate")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("luoshi: error: ")
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert "np." not in lines[0]


def test_empty_tables_where_a_report_states_no_such_figures(data_copy):
    # a report without 效益性分析 has no indicators: validate says so, and does not fail
    _header_only(data_copy, INDICATORS)
    run = _luoshi("--data-dir", str(data_copy), "validate")
    assert run.returncode == 0, run.stderr
    assert "indicators: 0 figures" in run.stdout
    # a budget document states budgeted amounts only: its executed overview stays empty
    _header_only(data_copy, BUDGET)
    statements = data_copy / "processed/2020/statements.csv"
    if not statements.is_file():  # a data folder from before statements were kept
        statements.write_text("year,phase,key\n2020,executed,revenue_total\n", "utf-8")
    executed = statements.read_text("utf-8")
    assert ",executed," in executed
    statements.write_text(executed.replace(",executed,", ",budgeted,"), "utf-8")
    run = _luoshi("--data-dir", str(data_copy), "validate")
    assert run.returncode == 0, run.stderr
    assert "budget: 0 lines" in run.stdout
    statements.write_text(executed, "utf-8")
    run = _luoshi("--data-dir", str(data_copy), "validate")
    assert run.returncode == 2 and "budget.csv: has a header but no rows" in run.stderr


def test_a_bom_and_crlf_line_ends_are_accepted(data_copy):
    for relative in (BUDGET, DATAPACKAGE):
        path = data_copy / relative
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    run = _luoshi("--data-dir", str(data_copy), "validate")
    assert run.returncode == 0, run.stderr
    assert "all checks hold" in run.stdout


def test_backups_and_folders_that_are_not_years_are_not_validated(data_copy):
    # what the readers' ingest keeps aside, and stray folders: broken on purpose
    for folder in ("backups/20261128T101500/processed/2020", "backups/2019",
                   "processed/2021.bak", "processed/２０２１", "processed/2022"):
        (data_copy / folder).mkdir(parents=True)
        (data_copy / folder / "budget.csv").write_text("year\n1999\n", "utf-8")
    (data_copy / "processed/2022/budget.csv").unlink()  # a year folder without budget.csv
    (data_copy / "processed/2022/indicators.csv").write_text("broken", "utf-8")
    from luoshi_analysis import years

    assert years(data_copy) == [2020]
    run = _luoshi("--data-dir", str(data_copy), "validate")
    assert run.returncode == 0, run.stderr
    assert "1 year(s) checked: all checks hold" in run.stdout


def test_a_year_given_in_other_digits_is_refused(data_copy):
    run = _luoshi("--data-dir", str(data_copy), "tables", "--year", "２０２０")
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1
    assert "four digits 0-9" in run.stderr and "2020" in run.stderr


# --- validate checks each figure against its fragment, each fragment against the report ------

def test_validate_reports_a_value_its_fragment_does_not_state(data_copy):
    _edit(data_copy, INDICATORS, ",1123,1123,户,", ",9999,1123,户,")
    run = _luoshi("--data-dir", str(data_copy), "validate")
    assert run.returncode == 1, run.stderr
    violations = [line for line in run.stderr.splitlines() if line.startswith("VIOLATION")]
    assert len(violations) == 1, run.stderr
    assert "indicators.csv line 24 (households_out_of_poverty)" in violations[0]
    assert "value 9999" in violations[0] and "1123户" in violations[0]
    assert "1 check(s) violated" in run.stdout


def test_validate_reports_an_amount_not_in_its_fragment(data_copy):
    # the amount agrees with its value-as-written, but the report says 775.34
    _edit(data_copy, BUDGET, ",775.34,775.34,", ",775.35,775.35,")
    run = _luoshi("--data-dir", str(data_copy), "validate")
    assert run.returncode == 1
    assert ("VIOLATION 2020 budget.csv line 14 (expenditure_basic): amount_as_written '775.35' "
            "is not in its source_fragment") in run.stderr


def test_validate_reports_a_fragment_not_in_the_report_or_not_unique(data_copy):
    _edit(data_copy, INDICATORS, "全镇1123户3245人贫困人口全面脱贫", "全镇1123户3245人贫困人口全部脱贫", 2)
    _edit(data_copy, INDICATORS, ",true,湖南国纺等企业4个并建成投产", ",true,4个")  # not unique
    raw = (data_copy / "raw/2020/luoshi_2020_performance_report.txt").read_text("utf-8")
    assert raw.count("4个") > 1
    run = _luoshi("--data-dir", str(data_copy), "validate")
    assert run.returncode == 1
    err = run.stderr
    assert err.count("does not occur in the raw report") == 2  # both rows of that sentence
    assert (f"(new_enterprises_introduced): source_fragment '4个' occurs {raw.count('4个')} "
            "times") in err
    assert "Traceback" not in err


# --- data never drives the terminal --------------------------------------------------------

ESCAPES = "\x1b[2J\x1b]0;owned\x07\u202e\x9b"


def test_control_characters_in_data_are_shown_not_obeyed(data_copy):
    _edit(data_copy, BUDGET, "收入总计,Total revenue", f"收入总计,Total{ESCAPES} revenue")
    _edit(data_copy, INDICATORS, ",入园企业,", f",入园企业{ESCAPES},")
    for args in (["tables", "--year", "2020"], ["tables", "--year", "2020", "--format", "csv"],
                 ["validate"]):
        run = _luoshi("--data-dir", str(data_copy), *args)
        assert run.returncode == 0, run.stderr
        for char in "\x1b\x07\u202e\x9b":
            assert char not in run.stdout + run.stderr, (args, char)
    assert "Total\\x1b[2J\\x1b]0;owned\\x07\\u202e\\x9b revenue" in run.stdout
    _edit(data_copy, INDICATORS, ",1123,1123,户,", ",9999,1123,户,")
    _edit(data_copy, INDICATORS, "全镇1123户3245人", f"全镇1123户{ESCAPES}3245人")
    for args in (["validate"], ["trace", "--year", "2020", "households_out_of_poverty"]):
        run = _luoshi("--data-dir", str(data_copy), *args)
        assert "\x1b" not in run.stdout + run.stderr and "\x07" not in run.stdout + run.stderr
        assert "\\x1b]0;owned\\x07" in run.stdout + run.stderr, args


def test_an_error_message_carrying_data_stays_one_safe_line(data_copy):
    _edit(data_copy, INDICATORS, ",18,18,家,", ",18\x1b[2J\n,18,家,")
    run = _luoshi("--data-dir", str(data_copy), "validate")
    assert run.returncode == 2
    assert "\x1b" not in run.stderr and len(run.stderr.splitlines()) == 1


# --- a $ in a name is a dollar sign, not mathtext ------------------------------------------

# a pair of $ around good and malformed TeX, and a lone $ (which mathtext leaves alone)
DOLLAR_NAMES = ["$x$", "成本 $ 元", "$\\frac{", "两 $\\frac{$ 个"]


def _with_dollar_names(indicators):
    rows = indicators[indicators["section"] == 1].copy()
    for lang in ("zh", "en"):
        rows.loc[rows.index[:len(DOLLAR_NAMES)], f"name_{lang}"] = DOLLAR_NAMES
    return rows


def test_charts_draw_dollar_signs_literally():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    from luoshi_analysis.reports import plots

    rows = _with_dollar_names(load_indicators(2020))
    for fig in (plots.section_chart(rows, "zh"), plots.headline_chart(rows, "en")):
        canvas = FigureCanvasAgg(fig)
        canvas.draw()  # mathtext raises ValueError on "$\frac{$"
        renderer = canvas.get_renderer()
        texts = {t.get_text(): t for t in fig.findobj(Text) if t.get_visible()}
        assert set(DOLLAR_NAMES) <= set(texts), sorted(texts)
        drawn = texts["$x$"]
        as_math = Text(0, 0, "$x$", parse_math=True, fontsize=drawn.get_fontsize(),
                       figure=fig)
        # literally "$x$" is three glyphs wide; mathtext would draw one italic x
        assert (drawn.get_window_extent(renderer).width
                > 2 * as_math.get_window_extent(renderer).width)


def test_a_notebook_with_dollar_signs_in_names_runs(data_copy, tmp_path):
    path = data_copy / INDICATORS
    indicators = load_indicators(2020)
    rows = _with_dollar_names(indicators)
    text = path.read_text("utf-8")
    for key, name in zip(rows["key"].iloc[:len(DOLLAR_NAMES)], DOLLAR_NAMES, strict=True):
        old = indicators.set_index("key").at[key, "name_zh"]
        text = text.replace(f",{key},{old},", f",{key},{name},", 1)
    path.write_text(text, "utf-8")
    assert set(DOLLAR_NAMES) <= set(load_indicators(2020)["name_zh"])
    outputs = tmp_path / "out"
    run = _luoshi("run", "--year", "2020", "--notebooks", "outcome_indicators", "--lang", "zh",
                  "--outputs", str(outputs), "--quiet")
    assert run.returncode == 0, run.stdout + run.stderr
    page = (outputs / UNIT / "2020" / "outcome_indicators_zh.html").read_text("utf-8")
    assert "两 $\\frac{$ 个" in page  # the table beside the chart shows the name as written


# --- found by sweeping: checks that met a table they did not expect --------------------------

def _second_year(root, year=2021):
    """Add `year` as a copy of 2020 (same report text, its own raw copy and source record)."""
    folder = root / "processed" / str(year)
    shutil.copytree(root / "processed" / "2020", folder)
    (root / "raw" / str(year)).mkdir()
    shutil.copy(root / "raw/2020/luoshi_2020_performance_report.txt", root / f"raw/{year}/r.txt")
    for name in ("budget.csv", "indicators.csv"):
        path = folder / name
        path.write_text(path.read_text("utf-8").replace("\n2020,", f"\n{year},"), "utf-8")
    (folder / "statements.csv").unlink(missing_ok=True)
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    descriptor["sources"][0].update(year=year, raw_file=f"raw/{year}/r.txt")
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), "utf-8")
    return folder


def test_a_year_without_the_carry_over_lines_is_checked_without_them(data_copy):
    folder = _second_year(data_copy)
    run = _luoshi("--data-dir", str(data_copy), "validate")
    # the copy's opening balance is not 2020's closing one: the carry-over check says so
    assert run.returncode == 1 and "VIOLATION 2021 carryover:2020->2021" in run.stderr
    budget = folder / "budget.csv"
    budget.write_text(budget.read_text("utf-8").replace("revenue_carryover", "revenue_opening"),
                      "utf-8")
    run = _luoshi("--data-dir", str(data_copy), "validate")
    assert run.returncode == 0, run.stderr
    assert "2 year(s) checked: all checks hold" in run.stdout


def test_a_share_of_a_zero_line_is_a_violation_not_a_warning(data_copy):
    _edit(data_copy, BUDGET, ",4112.15,4112.15,", ",0,无,")
    run = _luoshi("--data-dir", str(data_copy), "validate")
    assert run.returncode == 1
    assert "Warning" not in run.stderr
    assert "VIOLATION 2020 share:revenue_fiscal_appropriation: expected nan" in run.stderr


def test_a_year_asked_for_twice_is_validated_once(data_copy):
    run = _luoshi("--data-dir", str(data_copy), "validate", "--year", "2020", "--year", "2020")
    assert run.returncode == 0 and "1 year(s) checked" in run.stdout


def test_run_checks_the_data_first_and_starts_no_kernel(data_copy, tmp_path, capsys):
    """Bad data is one line before anything runs, not six notebooks failing on it."""
    budget = data_copy / "processed" / "2020" / "budget.csv"
    budget.write_text(budget.read_text("utf-8").replace(",775.34,", ",775.34x,", 1), "utf-8")
    outputs = tmp_path / "out"
    assert main(["run", "--outputs", str(outputs), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "budget.csv" in err and "775.34x" in err
    assert not outputs.exists()  # no lock taken, no kernel started, no page marked stale
