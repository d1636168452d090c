"""Year-on-year clauses: a change stated after an amount gives the amount of the year before.

"比上年增加50.00万元" after 收入总计800.00万元 states (by derivation) the earlier year's
收入总计 750.00万元, marked stated_by "later_report" with its derivation; "较2023年年初预算554.25
万元增加32.15万元" states the earlier amount outright.
"""

from __future__ import annotations

import re

from luoshi_analysis.core.lines import Found, to_wan
from luoshi_analysis.ingest.normalize import Normalized
from luoshi_analysis.ingest.sections import Section
from luoshi_analysis.ingest.wording import BARE, NUMBER, SCOPE_PREFIXES, UNIT, Label, label_before

SCOPE_ALTERNATION = "|".join(sorted(map(re.escape, SCOPE_PREFIXES), key=len, reverse=True))
SHARE = re.compile(r"(?:,|、)?\(?占(?:比)?[\u4e00-\u9fff]{0,12}?(?P<share>\d+(?:\.\d+)?)%\)?")
CHANGE = (rf"(?P<dir>增加|减少|增长|下降|降低|上升|增|减|多|少)了?(?P<chg>{NUMBER})"
          rf"(?P<chgunit>{UNIT})")
COMPARED = (r"(?:同比|(?:比|较|与|同)(?:上年|去年|上年度|上一年度?|(?P<prev>\d{4})年度?)"
            r"(?:决算数?|预算数?|同期)?(?:数)?(?:相比|比较|对比)?),?")
BASE_AMOUNT = re.compile(
    rf",?(?:较|比|与|同)(?P<prev>(?:19|20)\d\d)年度?(?P<what>年初预算|调整预算|预算|决算)?数?"
    rf"(?P<num>{NUMBER})(?P<unit>{UNIT})(?:相比|比较)?,?(?:{CHANGE}|持平)")
YOY = re.compile(rf",?{COMPARED}(?:{CHANGE}|(?P<same>持平|无变化|无增减|一致))")
BOTH_YOY = re.compile(
    rf",?{COMPARED}(?P<scope>{SCOPE_ALTERNATION})?收(?:入)?[、,和与及]?支(?:出)?总计(?:各|分别|均)?"
    rf"(?P<dir>增加|减少|增长|下降)了?(?P<rchg>{NUMBER})(?P<runit>{UNIT})?(?:[、,和与及]"
    rf"(?P<echg>{NUMBER})(?P<eunit>{UNIT}))?")
# 与上年相比，收入减少X、支出总计减少Y万元: the pair with a direction each, one unit at the end
PAIR_YOY = re.compile(
    rf",?{COMPARED}(?P<scope>{SCOPE_ALTERNATION})?收入(?:总计)?(?P<rdir>增加|减少)了?(?P<rchg>{NUMBER})"
    rf"(?P<runit>{UNIT})?[、,]支(?:出)?总计(?P<edir>增加|减少)了?(?P<echg>{NUMBER})(?P<eunit>{UNIT})")
# 与上年相比，一般公共预算财政拨款支出增加X万元 / 收入较去年增加X万元: the line named again
COMPARED_ANY = (r"(?:同比|(?:比|较|与|同)(?:上年|去年|上年度|上一年度?|\d{4}年度?)"
                r"(?:决算数?|预算数?|同期)?(?:数)?(?:相比|比较|对比)?),?")
NAMED_YOY = re.compile(rf"(?P<before>{COMPARED_ANY})?(?P<name>[\u4e00-\u9fff“”]{{2,24}}?)"
                       rf"(?P<after>{COMPARED_ANY})?{CHANGE}")
# A revenue category named in a change may be the total of its scope (财政拨款收入增加X万元
# after 财政拨款收入X、支出总计Y万元): the latest of these statements is the one meant.
RELATED = {
    "revenue_fiscal_appropriation": [("revenue_total", "fiscal_appropriation"),
                                     ("revenue_current_year", "fiscal_appropriation")],
    "revenue_fiscal_general_budget": [("revenue_total", "general_public_budget"),
                                      ("revenue_current_year", "general_public_budget")],
}
COMPLETION = re.compile(r",?(?:完成|占)[^,;。%]{0,20}?\d+(?:\.\d+)?%")
ORPHAN_YOY = re.compile(rf"(?<=[。;])(?P<compared>{COMPARED_ANY}),?{CHANGE}")


class YearOnYear:
    """Readers of year-on-year clauses, mixed into the overview reader (text, found, claimed)."""

    text: Normalized
    found: list[Found]
    claimed: list[tuple[int, int]]

    def free(self, start: int, end: int) -> bool:
        """Return whether no statement read so far covers normalised text[start:end]."""
        raise NotImplementedError

    def section(self, norm_position: int) -> Section:
        """Return the part of the report holding a normalised position."""
        raise NotImplementedError

    def add(self, key: str, scope: str, phase: str, year: int, label: str, number: str,
            unit: str, share: str | None, start: int, end: int) -> Found:
        """Add a statement read at normalised text[start:end] and return it."""
        raise NotImplementedError

    def both_changes(self) -> None:
        """Read 与上年相比，收、支总计各增加X、Y万元 after the totals were read."""
        norm = self.text.text
        for m in BOTH_YOY.finditer(norm):
            if not self.free(*m.span()):
                continue
            section = self.section(m.start())
            scope = SCOPE_PREFIXES[m["scope"]] if m["scope"] else section.scope
            changes = [("revenue_total", m["rchg"], m["runit"] or m["eunit"]),
                       ("expenditure_total", m["echg"] or m["rchg"], m["eunit"] or m["runit"])]
            for key, change, unit in changes:
                if unit is None:
                    continue
                stated = self._last(key, scope, m.start())
                if stated is not None:
                    self._derive(stated, m, change, unit)
            self.claimed.append(m.span())
        for m in PAIR_YOY.finditer(norm):
            if not self.free(*m.span()):
                continue
            scope = SCOPE_PREFIXES[m["scope"]] if m["scope"] else self.section(m.start()).scope
            for key, side in (("revenue_total", "r"), ("expenditure_total", "e")):
                stated = self._last(key, scope, m.start())
                if stated is not None:
                    self._derive(stated, m, m[f"{side}chg"], m[f"{side}unit"] or m["eunit"],
                                 direction=m[f"{side}dir"])
            self.claimed.append(m.span())

    def named_changes(self) -> None:
        """Read 与上年相比，<line>增加X万元 and <line>较上年减少X万元 (the line named again)."""
        norm = self.text.text
        for m in NAMED_YOY.finditer(norm):
            if not self.free(*m.span()):
                continue
            compared = m["before"] or m["after"]
            if not compared:
                # 与上年相比，收入总计增加X万元，支出总计增加Y万元: one comparison, two lines
                sentence = norm[norm.rfind("。", 0, m.start()) + 1:m.start()]
                earlier = re.search(COMPARED_ANY, sentence)
                if earlier is None:
                    continue
                compared = earlier.group()
            section = self.section(m.start())
            if section.kind == "other":
                continue
            found = label_before(m["name"])
            if found is None or found[3]:
                continue
            label: Label | None = found[2]
            name = found[1]
            keys = [found[2].key]
            if name in BARE:
                keys.append("revenue_total" if name == "收入" else "expenditure_total")
            label = None if name in BARE else label
            scope = (label.scope if label else None) or section.scope
            slots = [(key, scope) for key in keys] + RELATED.get(keys[0], [])
            candidates = [c for key, where in slots
                          if (c := self._last(key, where, m.start())) is not None]
            if not candidates:
                continue
            stated = max(candidates, key=lambda f: f.position)
            if name in BARE:  # 收入比去年增加X: the revenue its paragraph is about, stated first
                stated = self._paragraph_lead(keys, scope, m.start()) or stated
            prev = re.search(r"(\d{4})年", compared)
            self._derive(stated, m, m["chg"], m["chgunit"], int(prev[1]) if prev else None)
            self.claimed.append(m.span())

    def orphan_changes(self) -> None:
        """Read 。与上年相比，增加X万元: a change naming no line is about the sentence before."""
        norm = self.text.text
        for m in ORPHAN_YOY.finditer(norm):
            if not self.free(*m.span()) or self.section(m.start()).kind == "other":
                continue
            begin = self.text.offsets[norm.rfind("。", 0, m.start() - 1) + 1]
            before = [f for f in self.found if f.stated_by == "this_report"
                      and begin <= f.position < self.text.offsets[m.start()]]
            if not before:
                continue
            targets = [f for f in before if f.fragment == before[-1].fragment]
            prev = re.search(r"(\d{4})年", m["compared"])
            for stated in targets:
                self._derive(stated, m, m["chg"], m["chgunit"], int(prev[1]) if prev else None)
            self.claimed.append(m.span())

    def _paragraph_lead(self, keys: list[str], scope: str, before: int) -> Found | None:
        """Return the first statement of one of keys in the paragraph up to before, if any."""
        position = self.text.offsets[before]
        start = self.text.original.rfind("\n", 0, position) + 1
        stated = [f for f in self.found if f.key in keys and f.scope == scope
                  and f.stated_by == "this_report" and start <= f.position < position]
        return min(stated, key=lambda f: f.position) if stated else None

    def _last(self, key: str, scope: str, before: int) -> Found | None:
        position = self.text.offsets[before]
        earlier = [f for f in self.found if f.key == key and f.scope == scope
                   and f.stated_by == "this_report" and f.position < position]
        return earlier[-1] if earlier else None

    def _derive(self, stated: Found, m: re.Match, change: str, unit: str,
                prev_year: int | None = None, direction: str | None = None) -> None:
        direction = direction or m["dir"]
        sign = -1 if direction in ("减少", "下降", "降低", "减", "少") else 1
        delta = to_wan(change, unit)
        previous = stated.amount - sign * delta
        if previous < 0:
            return
        if prev_year is None and m.groupdict().get("prev"):
            prev_year = int(m["prev"])
        year = prev_year or stated.year - 1
        text = self.text
        fragment_start = min(stated.position, text.offsets[m.start()])
        fragment = text.original[fragment_start:text.offsets[m.end() - 1] + 1]
        op = "−" if sign > 0 else "+"
        self.found.append(Found(
            stated.key, stated.scope, stated.phase, year, stated.label, previous,
            f"{direction}{change}", unit, None, fragment.strip(" ,，"),
            text.line_of(m.start()), text.offsets[m.start()], stated_by="later_report",
            derivation=f"{stated.as_written}{stated.unit} {op} {change}{unit} "
                       f"({stated.year} amount {direction} {change}{unit})"))

    def yoy_after(self, item: Found, end: int) -> int:
        """Read a year-on-year clause right after a statement; return where reading stopped."""
        norm = self.text.text
        share = SHARE.match(norm, end)
        if share:
            end = share.end()
        done = COMPLETION.match(norm, end)  # ，完成预算的85.00%，较上年增加…
        base = BASE_AMOUNT.match(norm, done.end() if done else end)
        if base:  # 较2023年年初预算554.25万元增加32.15万元: the earlier amount, stated
            words = base["what"] or ""
            phase = "adjusted" if "调整" in words else "budgeted" if "预算" in words else \
                "executed" if "决算" in words else item.phase
            self.add(item.key, item.scope, phase, int(base["prev"]), item.label, base["num"],
                     base["unit"], None, base.start("num"), base.end("unit"))
            self.claimed.append(base.span())
            return base.end()
        m = YOY.match(norm, done.end() if done else end)
        if m is None:
            return end
        if m["same"]:
            year = int(m["prev"]) if m["prev"] else item.year - 1
            self.found.append(Found(
                item.key, item.scope, item.phase, year, item.label, item.amount,
                m["same"], item.unit, None,
                self.text.original[item.position:self.text.offsets[m.end() - 1] + 1],
                self.text.line_of(m.start()), self.text.offsets[m.start()],
                stated_by="later_report",
                derivation=f"{item.as_written}{item.unit}, {m['same']}"))
        else:
            self._derive(item, m, m["chg"], m["chgunit"])
        self.claimed.append((m.start(), m.end()))
        return m.end()

