"""Names of outcome figures: the phrase that says what is counted, on word boundaries.

A figure is named by the words before it in its clause ("新建标准化厂房2栋" → 新建标准化厂房),
without the words that only frame it (全年, 全镇, 累计, 达到 …); where those say nothing, by
the thing counted after its unit ("对101个楼盘小区" → 楼盘小区, "全镇1123户3245人贫困人口" →
贫困人口). Words are jieba's, so a name never starts or ends inside a word.
"""

from __future__ import annotations

from dataclasses import dataclass

from luoshi_analysis.ingest.language import tagged

MAX_NAME = 12
# Words that frame a figure but do not name it: time, place, subject, connectors, hedges.
LEADING = {"全年", "年内", "今年", "本年", "本年度", "当年", "全镇", "全乡", "我镇", "我乡", "本镇",
           "本院", "全院", "我院", "全县", "全区", "其中", "共", "累计", "已", "均", "全部", "并",
           "和", "及", "与", "对", "为", "在", "将", "力争", "完成", "实现", "共计", "先后",
           "项目", "全", "截至", "以来", "年", "度", "同时", "此外", "另", "实际", "以上",
           "以下", "及以上", "当地", "由"}
TRAILING = {"达到", "达", "为", "是", "实现", "共", "共计", "累计", "约", "近", "合计", "总计",
            "有", "计", "了", "至", "到", "超过", "超", "达成", "分别", "的", "等", "共达", "至少",
            "目标", "计划", "预计", "不少于", "不低于", "不超过", "以上", "余", "由", "上升", "下降",
            "第"}
WEAK = {"实际", "完成", "目标", "计划", "全年", "其中", "新增", "年度", "总体", "情况", "完成情况"}
NOUNISH = ("n", "vn", "nz", "ns", "nt", "nr", "an", "j", "l", "eng", "zg", "ng")
NOUN_ENDINGS = {"率", "度", "量", "数", "额", "值", "费", "面积"}  # 执行率: 执行 + 率 is a noun


def _nounish(token: Token) -> bool:
    return token.flag.startswith(NOUNISH) or token.word in NOUN_ENDINGS


@dataclass(frozen=True)
class Token:
    """A word of a line: its text, part of speech and where it starts in the line."""

    word: str
    flag: str
    start: int

    @property
    def end(self) -> int:
        """Return where the word ends in the line."""
        return self.start + len(self.word)


def tokens(line: str) -> list[Token]:
    """Return the words of a (normalised) line with their positions."""
    out, at = [], 0
    for word, flag in tagged(line):
        out.append(Token(word, flag, at))
        at += len(word)
    return out


def _is_break(token: Token) -> bool:
    return token.flag == "x" or not any("\u4e00" <= ch <= "\u9fff" for ch in token.word)


def _head_noun(words: list[Token]) -> list[Token]:
    """Return the noun phrase ending a long name (储备应急物资 → 应急物资), else the name."""
    nouns: list[Token] = []
    for token in reversed(words):
        verbal = token.flag == "vn" and token.word not in NOUN_ENDINGS
        if not _nounish(token) or verbal and nouns and any(t.flag == "vn" for t in nouns):
            break
        nouns.insert(0, token)
    size = sum(len(t.word) for t in nouns)
    if len(nouns) < len(words) and size >= 3 and sum(len(t.word) for t in words) > 4:
        return nouns
    return words


def _trim(words: list[Token]) -> list[Token]:
    while words and (words[0].word in LEADING or _is_break(words[0])
                     or words[0].flag in ("t", "q", "f") or words[0].word.endswith("年")
                     or words[0].flag == "m" and not words[0].word.startswith("第")):
        words = words[1:]
    while words and (words[-1].word in TRAILING or _is_break(words[-1])
                     or words[-1].flag in ("m", "q") or words[-1].word in ("及", "和", "与", "并")):
        words = words[:-1]
    words = _head_noun(words)
    while sum(len(t.word) for t in words) > MAX_NAME and len(words) > 1:
        words = words[1:]
    return words


def name_before(line: list[Token], start: int, clause_start: int) -> tuple[int, int] | None:
    """Return (start, end) in the line of the name before a figure at start, or None."""
    words = [t for t in line if t.start >= clause_start and t.end <= start]
    # a figure earlier in the clause (14户39人): the name starts after it
    for i in range(len(words) - 1, -1, -1):
        if words[i].flag in ("m", "eng", "q") and any(ch.isdigit() for ch in words[i].word):
            words = words[i + 1:]
            break
    words = _trim(words)
    if not words or all(t.word in WEAK for t in words):
        return None
    return words[0].start, words[-1].end


def name_after(line: list[Token], end: int) -> tuple[int, int] | None:
    """Return (start, end) of the thing counted right after a figure's unit, or None.

    A figure that follows at once (1123户3245人贫困人口) is passed over: it counts the same thing.
    """
    after = [t for t in line if t.start >= end]
    while after and (after[0].flag in ("eng", "m", "q") or after[0].word.isdigit()):
        after = after[1:]
    phrase: list[Token] = []
    for token in after:
        if _is_break(token) or token.word in ("和", "及", "与", "并", "等", "的", "以上", "左右"):
            break
        noun = _nounish(token)
        if not noun and any(_nounish(t) for t in phrase):
            break  # 18台网络数据通讯设备运行正常: the nouns, up to the verb after them
        phrase.append(token)
    while phrase and not _nounish(phrase[-1]):
        phrase = phrase[:-1]
    if not phrase:
        return None
    while sum(len(t.word) for t in phrase) > MAX_NAME and len(phrase) > 1:
        phrase = phrase[:-1]
    return phrase[0].start, phrase[-1].end


def name_span(line: list[Token], start: int, end: int, clause_start: int) -> tuple[int, int] | None:
    """Return the span of a figure's name: the words before it, else the thing counted after.

    Args:
        line: The words of the (normalised) line.
        start: Where the figure (its qualifier and number) starts in the line.
        end: Where its unit ends.
        clause_start: Where its clause starts.
    """
    before = name_before(line, start, clause_start)
    ends_in_verb = before is not None and any(
        t.end == before[1] and t.flag.startswith(("v", "r", "s", "f")) and not _nounish(t)
        for t in line)
    after = name_after(line, end)
    if after is not None and (before is None or ends_in_verb):
        return after
    return before
