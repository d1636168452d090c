"""`luoshi ingest`: the 2020 report reproduced, each variant of real reports, bad input, safety."""

from pathlib import Path

import pandas as pd
import pytest
from conftest import RAW_2020
from notebook_helpers import UNIT

from luoshi_analysis import IngestError, check, load_budget, load_indicators, read_source
from luoshi_analysis.cli import main
from luoshi_analysis.ingest import ingest
from luoshi_analysis.ingest.normalize import normalize
from luoshi_analysis.ingest.overview import parse_overview

OVERVIEW_2021 = (
    "2021年度收入总计5600.00万元，其中年初结转和结余1351.71万元，本年收入合计4248.29万元，其中财政"
    "拨款收入2100.00万元，占49.43%；其他收入2148.29万元，占50.57%；无上级补助收入、事业收入、经营收入、"
    "附属单位上缴收入。2021年度支出总计5600.00万元，其中年末结转和结余1200.00万元，本年支出合计"
    "4400.00万元，其中基本支出800.00万元，占18.18%；项目支出3600.00万元，占81.82%；无上缴上级支出、"
    "经营支出、对附属单位补助支出。")


def report_2021(carryover: str = "1351.71") -> str:
    """The 2020 text made into a 2021 report: a new overview and a few changed figures."""
    text = RAW_2020.read_text("utf-8")
    start = text.index("2020\u00a0年度收入总计")
    end = text.index("对附属单位补助支出。") + len("对附属单位补助支出。")
    text = text[:start] + OVERVIEW_2021.replace("1351.71", carryover) + text[end:]
    text = text.replace("2020", "2021")
    return text.replace("入园企业18家", "入园企业21家").replace("出生人口178人", "出生人口165人")


def _overview(text: str) -> pd.DataFrame:
    return parse_overview(normalize(text), 2021).budget.set_index("key")


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


# -- the 2020 report ---------------------------------------------------------------------------

def test_ingesting_2020_reproduces_the_curated_tables(tmp_path, capsys):
    root = tmp_path / "data"
    result = ingest(RAW_2020, 2020, root)
    curated = load_budget(2020)
    assert load_budget(2020, root).equals(curated)
    assert check(result.year, result.root)["ok"].all()
    found = load_indicators(2020, root)
    assert not found["reviewed"].any()
    candidates = set(zip(found["section"], found["value"], found["unit"], found["qualifier"],
                         strict=True))
    reference = load_indicators(2020)
    hits = [(s, v, u, q) in candidates for s, v, u, q in zip(
        reference["section"], reference["value"], reference["unit"], reference["qualifier"],
        strict=True)]
    share = sum(hits) / len(hits)
    with capsys.disabled():
        print(f"\ningest found {sum(hits)} of {len(hits)} curated 2020 indicators "
              f"({share:.1%}) with the right value, unit and qualifier")
    assert share >= 0.9
    assert (root / read_source(2020, root).raw_file).read_bytes() == RAW_2020.read_bytes()


# -- variants of real reports -------------------------------------------------------------------

def test_both_totals_in_one_clause():
    same = _overview("2021年度收、支总计均为5446.35万元。")
    assert same.loc["revenue_total", "amount"] == "5446.35"
    assert same.loc["expenditure_total", "amount"] == "5446.35"
    each = _overview("2021年度收、支总计各是100.50、90.25万元。")
    assert each.loc["revenue_total", "amount"] == "100.50"
    assert each.loc["expenditure_total", "amount"] == "90.25"


def test_amounts_in_yuan_are_converted_and_the_conversion_recorded(tmp_path):
    frame = _overview("收入总计54,463,500.00元，其中年初结转和结余13,342,000元。")
    assert frame.loc["revenue_total", "amount"] == "5446.35"
    assert frame.loc["revenue_total", "amount_as_written"] == "54,463,500.00"
    assert frame.loc["revenue_carryover", "amount"] == "1334.20"
    report = tmp_path / "yuan.txt"
    report.write_text("2021年度收入总计54,463,500.00元，支出总计54,463,500.00元。", "utf-8")
    ingest(report, 2021, tmp_path / "data")
    source = read_source(2021, tmp_path / "data")
    assert source.amount_unit_as_reported == "元"
    assert "10000" in source.conversion


def test_thousands_separators_full_width_and_traditional():
    assert _overview("收入总计5,446.35万元").loc["revenue_total", "amount"] == "5446.35"
    full = _overview("收入总计５４４６．３５万元，其中年初结转和结余１，３３４．２０万元；")
    assert full.loc["revenue_total", "amount"] == "5446.35"
    assert full.loc["revenue_carryover", "amount"] == "1334.20"
    assert full.loc["revenue_total", "source_fragment"] == "收入总计５４４６．３５万元"
    traditional = _overview("收入總計5446.35萬元，其中年初結轉和結餘1334.20萬元，無上級補助收入。")
    assert traditional.loc["revenue_total", "amount"] == "5446.35"
    assert traditional.loc["revenue_carryover", "label_zh"] == "年初結轉和結餘"
    assert traditional.loc["revenue_higher_level_subsidy", "amount"] == "0"


def test_line_breaks_inside_words_and_numbers():
    frame = _overview("2021年度收入总\n计5446.\n35万元，其中财政拨\r\n款收入2018.84万\n元，占49.\n09%")
    assert frame.loc["revenue_total", "amount"] == "5446.35"
    assert frame.loc["revenue_total", "source_fragment"] == "收入总\n计5446.\n35万元"
    assert frame.loc["revenue_fiscal_appropriation", "stated_share_pct"] == "49.09"


def test_none_is_zero_and_both_share_wordings():
    frame = _overview("本年收入合计100.00万元，其中财政拨款收入60.00万元，占60.00%；其他收入40.00万元，"
                      "占比40.00%；无上级补助收入、事业收入和经营收入。")
    assert frame.loc["revenue_fiscal_appropriation", "stated_share_pct"] == "60.00"
    assert frame.loc["revenue_other", "stated_share_pct"] == "40.00"
    for key in ("revenue_higher_level_subsidy", "revenue_public_service", "revenue_operating"):
        assert frame.loc[key, ["amount", "amount_as_written"]].tolist() == ["0", "无"]


def test_usual_variant_names():
    frame = _overview("上年结转1334.20万元，收入合计4112.15万元，其中一般公共预算财政拨款收入2000.00万元、"
                      "政府性基金预算财政拨款收入18.84万元；结余分配0.00万元，结转下年1351.71万元。")
    assert frame.loc["revenue_carryover", ["amount", "label_zh"]].tolist() == ["1334.20", "上年结转"]
    assert frame.loc["revenue_current_year", "amount"] == "4112.15"
    assert frame.loc["revenue_fiscal_general_budget", "amount"] == "2000.00"
    assert frame.loc["revenue_fiscal_government_funds", "parent_key"] == "revenue_current_year"
    assert frame.loc["expenditure_carryforward", "amount"] == "1351.71"
    assert frame.loc["expenditure_surplus_distribution", "amount"] == "0.00"


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-16-le", "utf-8-sig"])
def test_each_encoding_is_read_and_stored_byte_for_byte(encoding, tmp_path):
    text = RAW_2020.read_text("utf-8")
    if encoding == "gbk":
        text = text.replace("\u00a0", " ")  # GBK has no no-break space; a GBK save drops it
    data = text.encode(encoding)
    report = tmp_path / "report.txt"
    report.write_bytes(data)
    root = tmp_path / "data"
    ingest(report, 2020, root)
    assert load_budget(2020, root).equals(load_budget(2020))
    assert (root / read_source(2020, root).raw_file).read_bytes() == data


# -- bad input ----------------------------------------------------------------------------------

BAD = {
    "empty": (b"  \n", "the file is empty"),
    "binary": (bytes(range(256)) * 8, "binary file"),
    "undecodable": ("收入总计".encode()[:-1] + b"\x80\x80\xff", "cannot read the text"),
    "no overview": ("2021年度罗市镇工作总结：全年工作平稳有序。".encode(),
                    "no budget overview and no outcome figure"),
    "year mismatch": (RAW_2020.read_bytes(), "the text is the 2020 report"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_report_is_one_line_and_writes_nothing(case, data_copy, tmp_path, capsys):
    data, message = BAD[case]
    report = tmp_path / "report.txt"
    report.write_bytes(data)
    before = _listing(data_copy)
    with pytest.raises(IngestError, match=message):
        ingest(report, 2021, data_copy)
    assert main(["ingest", str(report), "--year", "2021"]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert _listing(data_copy) == before


def test_missing_report_file(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path), "ingest", str(tmp_path / "nope.txt"),
                 "--year", "2021"]) == 2
    assert "nope.txt: cannot read the file" in capsys.readouterr().err


# -- safety -------------------------------------------------------------------------------------

def test_an_existing_year_needs_force(data_copy, capsys):
    before = _listing(data_copy)
    assert main(["ingest", str(RAW_2020), "--year", "2020"]) == 2
    assert "use --force" in capsys.readouterr().err
    assert _listing(data_copy) == before
    assert main(["ingest", str(RAW_2020), "--year", "2020", "--force"]) == 0
    assert load_budget(2020).equals(load_budget(2020, data_copy))


@pytest.mark.parametrize("where", ["luoshi_analysis.ingest.transaction.write_datapackage",
                                   "luoshi_analysis.ingest.transaction.replace_dir"])
def test_an_interrupted_ingest_leaves_the_old_year(where, data_copy, tmp_path, monkeypatch):
    report = tmp_path / "2020.txt"
    report.write_text(report_2021().replace("2021", "2020"), "utf-8")
    old = (data_copy / "processed" / "2020" / "budget.csv").read_bytes()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(where, interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingest(report, 2020, data_copy, force=True)
    assert (data_copy / "processed" / "2020" / "budget.csv").read_bytes() == old
    assert check(2020)["ok"].all()
    assert not list((data_copy / "processed").glob(".staging-*"))


# -- a second year ------------------------------------------------------------------------------

def test_second_year_reuses_keys_and_runs_with_year_over_year_view(data_copy, tmp_path, capsys):
    report = tmp_path / "2021.txt"
    report.write_bytes(report_2021().encode("gb18030"))
    assert main(["ingest", str(report), "--year", "2021"]) == 0
    summary = capsys.readouterr().out
    assert "keys reused from earlier years" in summary
    found = load_indicators(2021).set_index("key")
    assert found.loc["park_enterprises", "value"] == 21
    assert found.loc["births", "value"] == 165
    assert found.index.isin(load_indicators(2020)["key"]).mean() >= 0.9
    checks = check(2021).set_index("check")
    assert checks.loc["carryover:2020->2021", "ok"]
    assert main(["validate"]) == 0
    outputs = tmp_path / "out"
    assert main(["run", "--year", "2021", "--lang", "zh", "--outputs", str(outputs),
                 "--quiet"]) == 0
    figures = outputs / UNIT / "2021" / "figures"
    for name in ("revenue_structure_revenue_change_zh", "spending_mix_spending_change_zh",
                 "outcome_indicators_indicator_change_zh"):
        assert (figures / f"{name}.png").is_file(), name
    page = (outputs / UNIT / "2021" / "outcome_indicators_zh.html").read_text("utf-8")
    assert "2021年初结转和结余 = 2020年末结转和结余" in page
    assert ">+16.67<" in page or "16.67" in page  # park enterprises 18 → 21


def test_carryover_mismatch_is_reported(data_copy, tmp_path, capsys):
    report = tmp_path / "2021.txt"
    report.write_text(report_2021(carryover="1350.00").replace("5600.00万元，其中年初",
                                                               "5598.29万元，其中年初"), "utf-8")
    main(["ingest", str(report), "--year", "2021"])
    capsys.readouterr()
    assert main(["validate", "--year", "2021"]) == 1
    err = capsys.readouterr().err
    assert "VIOLATION 2021 carryover:2020->2021" in err and "difference -1.7100" in err
    assert (data_copy / "processed" / "2021" / "budget.csv").is_file()


# -- candidate indicators -----------------------------------------------------------------------

def test_candidates_read_qualifiers_units_and_chinese_numerals():
    from luoshi_analysis.core.numbers import chinese_number
    from luoshi_analysis.ingest.outcomes import find_candidates

    assert [chinese_number(t) for t in ("四", "两", "十", "十二", "三十", "四十五", "零")] == [
        4, 2, 10, 12, 30, 45, None]
    text = ("（1）重点项目建设\n建成四条道路，面积近3万亩，其中水稻2万余亩；投入资金200余万元，"
            "项目7家共达43个，新增2个200亩以上基地，排名全区第3，坚持“两个完善、一村一辅警”，"
            "于4月中旬完成，2021年全年出生人口178人。\n四、存在的问题\n共有99人。")
    found = [(c.value, c.value_as_written, c.unit, c.qualifier) for c in find_candidates(text)]
    assert found == [
        (4, "四", "条", "exact"), (3, "3", "万亩", "nearly"), (2, "2", "万亩", "more_than"),
        (200, "200", "万元", "more_than"), (7, "7", "家", "exact"),
        (43, "43", "个", "cumulative_total"), (2, "2", "个", "exact"),
        (200, "200", "亩", "at_least"), (3, "3", "名次", "rank"), (178, "178", "人", "exact"),
    ]


# -- one data folder is one unit ----------------------------------------------------------------

OTHER_UNIT = ("2021年度邵阳市大祥区檀江街道办事处部门整体支出绩效评价报告\n"
              "2021年度收入总计300.00万元，支出总计300.00万元。\n")


def test_the_issuer_is_read_from_the_report(data_copy, tmp_path):
    report = tmp_path / "2021.txt"
    report.write_text(report_2021(), "utf-8")
    ingest(report, 2021, data_copy)
    source = read_source(2021, data_copy)
    assert (source.issuer, source.district, source.city) == ("罗市镇人民政府", "大祥区", "邵阳市")
    assert source.title == "2021年度邵阳市大祥区罗市镇人民政府部门整体支出绩效评价报告"
    assert source.issuer_en == read_source(2020, data_copy).issuer_en  # the same unit's English name


def test_another_units_report_is_refused_unless_allowed(data_copy, tmp_path, capsys):
    report = tmp_path / "other.txt"
    report.write_text(OTHER_UNIT, "utf-8")
    before = _listing(data_copy)
    assert main(["ingest", str(report), "--year", "2021"]) == 2
    err = capsys.readouterr().err.strip()
    assert "issued by 檀江街道办事处" in err and "holds 罗市镇人民政府's reports" in err
    assert "--issuer-mismatch-ok" in err and len(err.splitlines()) == 1
    assert _listing(data_copy) == before
    assert main(["ingest", str(report), "--year", "2021", "--issuer-mismatch-ok"]) == 0
    assert read_source(2021, data_copy).issuer == "檀江街道办事处"


def test_a_new_folder_takes_the_unit_of_its_first_report(tmp_path):
    report = tmp_path / "other.txt"
    report.write_text(OTHER_UNIT, "utf-8")
    root = tmp_path / "data"
    ingest(report, 2021, root)
    source = read_source(2021, root)
    assert (source.issuer, source.district, source.city, source.issuer_en) == (
        "檀江街道办事处", "大祥区", "邵阳市", "")
    written = "".join(p.read_text("utf-8") for p in (root / "processed").rglob("*.json"))
    assert "罗市" not in written  # nothing of the shipped town leaks into another unit's folder
    later = tmp_path / "2022.txt"
    later.write_text(OTHER_UNIT.replace("2021", "2022").replace("邵阳市大祥区檀江街道办事处", ""), "utf-8")
    ingest(later, 2022, root)  # a report that names no unit is taken as the folder's
    assert read_source(2022, root).issuer == "檀江街道办事处"


def test_a_folder_whose_reports_named_no_unit_takes_the_first_that_does(tmp_path):
    root = tmp_path / "data"
    unnamed = tmp_path / "2021.txt"
    unnamed.write_text("2021年度收入总计300.00万元，支出总计300.00万元。\n", "utf-8")
    ingest(unnamed, 2021, root)
    assert read_source(2021, root).issuer == ""
    named = tmp_path / "2022.txt"
    named.write_text(OTHER_UNIT.replace("2021", "2022"), "utf-8")
    ingest(named, 2022, root)
    assert read_source(2022, root).issuer == "檀江街道办事处"


# -- re-ingesting keeps review work -------------------------------------------------------------

def test_force_keeps_reviewed_rows_still_in_the_text_and_backs_up(data_copy, tmp_path, capsys):
    old = load_indicators(2020)
    old_raw = data_copy / read_source(2020, data_copy).raw_file
    old_csv = (data_copy / "processed" / "2020" / "indicators.csv").read_bytes()
    report = tmp_path / "2020.txt"
    report.write_text(RAW_2020.read_text("utf-8").replace("入园企业18家", "入园企业19家"), "utf-8")
    assert main(["ingest", str(report), "--year", "2020", "--force"]) == 0
    out = capsys.readouterr().out
    new = load_indicators(2020).set_index("key")
    reviewed = old[old["reviewed"]]
    assert "park_enterprises" not in new.index or not new.loc["park_enterprises", "reviewed"]
    kept = reviewed[reviewed["key"] != "park_enterprises"]
    assert new.loc[kept["key"], "reviewed"].all()
    assert (new.loc[kept["key"], "name_en"] == kept.set_index("key")["name_en"]).all()
    assert f"kept {len(kept)}, dropped 1" in out
    assert "dropped  park_enterprises: its fragment '入园企业18家' is not in the new text" in out
    assert new.index.is_unique
    assert ((new["value"] == 19) & ~new["reviewed"]).any()  # the changed figure, as a new candidate
    new_csv = (data_copy / "processed" / "2020" / "indicators.csv").read_text("utf-8").splitlines()
    old_rows = [row for row in old_csv.decode().splitlines()[1:] if ",park_enterprises," not in row]
    assert [row for row in old_rows if row not in new_csv] == []  # kept rows exactly as reviewed
    assert len(new_csv) - 1 - len(old_rows) <= 3  # no duplicate candidate of a kept figure
    backups = list((data_copy / "backups").iterdir())
    assert len(backups) == 1 and backups[0].name.startswith("2020-")
    assert (backups[0] / "processed" / "2020" / "indicators.csv").read_bytes() == old_csv
    assert (backups[0] / "raw" / "2020" / old_raw.name).read_bytes() == RAW_2020.read_bytes()
    assert not old_raw.exists()
    assert main(["validate"]) == 0  # the backup is no year of its own


def test_a_leftover_of_an_interrupted_ingest_is_removed(data_copy, tmp_path):
    raw = data_copy / "raw" / "2021"
    raw.mkdir(parents=True)
    (raw / ".report_2021_0000.txt.partial").write_bytes(b"half")
    staging = data_copy / "processed" / ".staging-2021-1"
    staging.mkdir()
    report = tmp_path / "2021.txt"
    report.write_text(report_2021(), "utf-8")
    ingest(report, 2021, data_copy)
    assert not staging.exists() and not list(raw.glob(".*.partial"))
    assert [p.name for p in raw.iterdir()] == [Path(read_source(2021, data_copy).raw_file).name]


def test_force_before_anything_is_reviewed_replaces_the_year(data_copy, tmp_path, capsys):
    """The common case: a year ingested, nothing reviewed yet, the report downloaded again."""
    report = tmp_path / "2021.txt"
    report.write_text(report_2021(), "utf-8")
    assert main(["ingest", str(report), "--year", "2021"]) == 0
    indicators = data_copy / "processed" / "2021" / "indicators.csv"
    assert "true" not in indicators.read_text("utf-8").lower().split("reviewed")[-1]
    report.write_text(report_2021().replace("出生人口165人", "出生人口166人"), "utf-8")
    capsys.readouterr()
    assert main(["ingest", str(report), "--year", "2021", "--force"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "Traceback" not in out
    assert "166" in indicators.read_text("utf-8")
    assert list((data_copy / "backups").glob("2021-*"))
