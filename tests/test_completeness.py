"""Every number in sections (1)–(8) of 效益性分析 is a table row or a listed exclusion."""

import re

from luoshi_analysis import load_indicators
from luoshi_analysis.analysis.fragments import NUMBER

# Numbers that are deliberately not figures: (verbatim context, number, why).
EXCLUSIONS = [
    ("于4月中旬", "4", "date: month of the demolition"),
    ("2020年全年出生人口", "2020", "the report year"),
    ("2020年我镇综治民调", "2020", "the report year"),
    ("2020年党费收缴", "2020", "the report year"),
    ("“春雷2020”", "2020", "name of a campaign"),
    ("区委“12345”工作机制", "12345", "name of a working mechanism"),
    ("35岁以下大专学历", "35", "eligibility threshold for cadres, not an outcome"),
]


def _sections(text: str) -> tuple[int, int]:
    start = text.index("（1）重点项目建设")
    end = text.index("四、部门整体支出绩效评价存在的问题")
    return start, end


def _claimed(text: str, fragment: str, number: str) -> set[int]:
    """Positions in text of `number` as a whole number inside `fragment`."""
    at = text.index(fragment)
    return {at + m.start() for m in NUMBER.finditer(fragment) if m.group() == number}


def test_every_number_in_the_eight_sections_is_accounted_for(raw_text):
    start, end = _sections(raw_text)
    headings = {m.start() + 1 for m in re.finditer(r"（[1-8]）", raw_text[start:end])}
    covered = {start + h for h in headings}
    for _, row in load_indicators(2020).iterrows():
        covered |= _claimed(raw_text, row["source_fragment"], row["value_as_written"])
    for context, number, _why in EXCLUSIONS:
        claimed = _claimed(raw_text, context, number)
        assert claimed, f"exclusion {context!r} does not hold {number}"
        covered |= claimed
    missing = [
        f"{m.group()} in …{raw_text[max(0, m.start() - 10):m.end() + 6]}…"
        for m in NUMBER.finditer(raw_text, start, end)
        if m.start() not in covered
    ]
    assert not missing, "numbers neither in the indicator table nor excluded:\n" + "\n".join(
        missing)


def test_no_row_claims_an_excluded_number(raw_text):
    excluded = set()
    for context, number, _why in EXCLUSIONS:
        excluded |= _claimed(raw_text, context, number)
    for _, row in load_indicators(2020).iterrows():
        assert not _claimed(raw_text, row["source_fragment"], row["value_as_written"]) & excluded
