import json

from conftest import DATA, RAW_2020

from luoshi_analysis import read_source, verify_raw
from luoshi_analysis.core.provenance import datapackage_descriptor, sha256_of
from luoshi_analysis.core.schema import BUDGET

# sha256 of the seed report as delivered (sha256sum ../shared/seeds/000_74f457df9fb6917b.txt)
SEED_SHA256 = "2da2e1932e76d320fbb8c1f519d884fdc4e2b0a8e64ebe7571036a5e404f765b"


def test_raw_report_is_the_seed_unchanged():
    assert sha256_of(RAW_2020) == SEED_SHA256


def test_source_record_names_issuer_year_unit_and_hash():
    source = verify_raw(2020)
    assert source.sha256 == SEED_SHA256
    assert (source.issuer, source.district, source.city) == ("罗市镇人民政府", "大祥区", "邵阳市")
    assert source.year == 2020
    assert (source.currency, source.amount_unit, source.amount_factor) == ("CNY", "万元", 10000)
    assert source.title.startswith("2020年度") and "绩效评价报告" in source.title


def test_committed_datapackage_matches_the_schema_in_code():
    committed = json.loads((DATA / "processed" / "2020" / "datapackage.json").read_text("utf-8"))
    assert committed == datapackage_descriptor(read_source(2020))


def test_amount_field_carries_fiscal_metadata():
    amount = next(f for f in BUDGET.descriptor()["fields"] if f["name"] == "amount")
    assert amount["currency"] == "CNY"
    assert amount["factor"] == 10000
    assert amount["phase"] == "executed"
    assert "direction" in amount
