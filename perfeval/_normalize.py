"""Text clean-up that runs before any parsing.

Published tables are typed in every way a keyboard allows: full-width digits
(``９５％``), box-drawing characters used as ``=`` (``═100%``), traditional
characters (``10萬元``), spaces left by PDF extraction (``3, 825. 75``).
:func:`normalize` folds all of that into one plain form and keeps, for each
character of the result, the index of the source character it came from, so
that an error can point at the text the user actually typed.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["normalize", "fold", "fold_startswith", "Normalized"]

# Traditional -> simplified, limited to the characters that occur in targets,
# units, comparator words and the qualitative vocabulary of the forms.  A full
# converter (OpenCC) loads a multi-megabyte dictionary at start-up; the forms
# need a few hundred characters, so the table lives here.
_TRAD = (
    "個个萬万億亿於于達达項项臺台場场條条輛辆組组時时歲岁畝亩頃顷噸吨準准內内滿满"
    "標标戶户務务與与雙双點点關关規规範范據据經经費费資资產产質质數数額额預预執执"
    "績绩効效養养護护維维統统線线綫线處处區区縣县鄉乡鎮镇險险醫医療疗藥药學学優优"
    "較较顯显進进昇升級级劃划實实現现導导轉转發发獲获證证認认讀读選选員员職职廳厅"
    "會会議议報报幣币單单雜杂檢检測测驗验覽览蓋盖問问題题設设備备機机構构勞劳動动"
    "練练訓训審审計计結结餘余歷历屆届續续擴扩張张應应開开對对電电腦脑網网絡络號号"
    "書书價价錢钱幾几週周鐘钟異异狀状態态況况無无須须確确極极穩稳總总際际環环衛卫"
    "綠绿團团隊队圍围園园傳传紀纪錄录輸输運运營营銷销閱阅稅税財财類类齊齐齡龄殘残"
    "傷伤災灾隻只間间棟栋層层車车釐厘圖图為为爲为並并從从後后裏里裡里這这麼么稱称"
    "夠够斷断續续節节約约純纯純纯減减擬拟織织纖纤辦办協协調调濟济廣广東东餐餐飲饮"
    "補补貼贴獎奖勵励觀观響响喪丧觸触權权勢势種种擔担損损壞坏聯联標标識识覈核准准"
    "範范圍围衆众眾众滿满們们條条個个筆笔檔档案案庫库設设備备齊齐農农糧粮蘆芦葉叶"
    "裝装還还讓让談谈請请講讲證证評评價价級级優优良良劣劣差差顯显著著幅幅廢废驟骤"
    "樣样歸归攝摄獲获興兴舉举辭辞頭头項项額额"
)
_TRAD_MAP = {ord(_TRAD[i]): _TRAD[i + 1] for i in range(0, len(_TRAD) - 1, 2)}

# Characters that NFKC leaves alone but that the forms use as operators or
# separators.  ``═`` (box drawing, double horizontal) is how several systems
# print ``=``; ``─`` and the dashes separate ranges.
_SYMBOLS = {
    "≥": ">=", "≧": ">=", "⩾": ">=", "≤": "<=", "≦": "<=", "⩽": "<=",
    # "not greater than" is "at most": 不大于 typed with its own sign
    "≯": "<=", "≮": ">=", "≱": "<", "≰": ">",
    "═": "=", "〓": "=",
    "—": "-", "–": "-", "―": "-", "─": "-", "━": "-", "‐": "-", "‑": "-", "−": "-",
    "〜": "~", "∽": "~",
    "×": "*", "·": "*", "•": "*", "∙": "*", "・": "*",
    "【": "[", "】": "]", "〔": "[", "〕": "]", "〖": "[", "〗": "]",
    "“": "", "”": "", "‘": "", "’": "", "\"": "", "'": "", "「": "", "」": "",
}

_DROP = frozenset(" \t\r\n\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff")


class Normalized(str):
    """A normalised string that remembers where each character came from."""

    origin: tuple[int, ...]
    source: str

    def __new__(cls, text: str, origin: tuple[int, ...], source: str) -> Normalized:
        self = str.__new__(cls, text)
        self.origin = origin
        self.source = source
        return self

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text back to the source text."""
        if not self.origin:
            return (0, len(self.source))
        if start >= len(self.origin):
            return (len(self.source), len(self.source))
        first = self.origin[start]
        last = self.origin[min(end, len(self.origin)) - 1] + 1 if end > start else first
        return (first, max(first, last))


def _fold_char(ch: str) -> str:
    if ch in _DROP:
        return ""
    folded = _SYMBOLS.get(ch)
    if folded is not None:
        return folded
    folded = unicodedata.normalize("NFKC", ch)
    if folded == "°C":  # NFKC spells ℃ as two characters; keep the unit whole
        return "℃"
    # NFKC spells some marks with a space (¸ is " ̧"); spaces never survive
    folded = "".join(c for c in folded if not c.isspace() and c not in _DROP)
    # NFKC may expand one character into several (🉀 -> 〔本〕): fold each, so
    # that normalising twice changes nothing.
    folded = "".join(_SYMBOLS.get(c, "" if c in _DROP else c) for c in folded)
    return folded.translate(_TRAD_MAP)


@lru_cache(maxsize=4096)
def _fold_table(ch: str) -> str:
    return _fold_char(ch)


def normalize(text: str) -> Normalized:
    """Fold full-width forms, operator variants, traditional characters and spaces.

    >>> str(normalize("＞＝ ９５ ％"))
    '>=95%'
    >>> str(normalize("10萬元"))
    '10万元'
    """
    folded = list(map(_fold_table, text))
    joined = "".join(folded)
    if len(joined) == len(text) and "" not in folded:
        origin = tuple(range(len(text)))  # the common case: one character for one
    else:
        # each output character remembers its source index; a dropped
        # character leaves none, an expanded one (≥ -> >=) one per character
        origin = tuple([index for index, part in enumerate(folded) for _ in part])
    return _collapse(joined, origin, text)


# ``。`` and its kin end a cell, not a value.
_CELL_ENDS = tuple("。.;；,，、!")


def _collapse(text: str, origin: tuple[int, ...], source: str) -> Normalized:
    """``--`` and ``~~`` are typed as one separator; a trailing ``。`` goes."""
    if "--" not in text and "~~" not in text and not text.endswith(_CELL_ENDS):
        return Normalized(text, origin, source)  # the common case: nothing to drop
    keep: list[int] = []
    for i, ch in enumerate(text):
        if ch in "-~" and i > 0 and text[i - 1] == ch:
            continue
        keep.append(i)
    while keep and text[keep[-1]] in _CELL_ENDS:
        keep.pop()
    return Normalized("".join(text[i] for i in keep), tuple(origin[i] for i in keep), source)


# Cells longer than this are narrative, not names or phrases: folding them
# again is cheaper than keeping them alive in the memo.
_MEMO_LIMIT = 256


def fold(text: str) -> str:
    """The normalised text alone, for comparing names and qualitative phrases.

    Scoring, the audit and the documents fold the same few names and phrases
    on every row, so short texts are memoised.
    """
    if len(text) > _MEMO_LIMIT:
        return str(normalize(text))
    return _fold_short(text)


@lru_cache(maxsize=65536)
def _fold_short(text: str) -> str:
    return str(normalize(text))


def fold_startswith(text: str, char: str) -> bool:
    """``fold(text).startswith(char)`` for one character that ends no cell,
    read from the first character of ``text`` that folds to anything:
    _collapse drops no leading character but a cell end.  For a text seen
    once, it spares folding all of it."""
    if len(char) != 1 or char in _CELL_ENDS:
        raise ValueError(f"not a character fold_startswith can decide: {char!r}")
    for ch in text:
        folded = _fold_table(ch)
        if folded:
            return folded[0] == char
    return False
