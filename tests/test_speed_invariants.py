"""The equivalences the fast paths of the parser and of evaluate rely on.

Each fast path replaced a slower spelling of the same computation; these
laws pin the two together, so that a later edit to either side shows up here
rather than as a changed outcome somewhere in a table.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from perfeval import _normalize, _units
from perfeval.evaluate import _dec, _ratio

_UNIT_TEXT = st.text(alphabet=st.sampled_from(sorted(set("".join(_units.UNITS)) | set("/*1x"))),
                     max_size=8)


@given(st.integers(-10**30, 10**30), st.integers(-10**30, 10**30).filter(bool))
def test_ratio_of_integers_is_the_decimal_of_their_fraction(numerator: int,
                                                           denominator: int) -> None:
    # repr: the same Decimal down to its exponent and the sign of a zero
    assert repr(_ratio(numerator, denominator)) == repr(_dec(Fraction(numerator, denominator)))


@given(_UNIT_TEXT, st.integers(0, 9))
def test_known_unit_is_the_longest_unit_at_the_position(text: str, start: int) -> None:
    longest = max((u for u in _units.UNITS if text.startswith(u, start)), key=len, default=None)
    assert _units.split_known_unit(text, start) == longest


_WORD_TEXT = st.text(alphabet="ab年月底", max_size=8)


@given(st.sets(_WORD_TEXT.filter(bool), max_size=12), _WORD_TEXT, st.integers(0, 9))
def test_words_finds_the_longest_word_at_the_position(vocabulary: set[str], text: str,
                                                      start: int) -> None:
    longest = max((w for w in vocabulary if text.startswith(w, start)), key=len, default=None)
    assert _units.Words(vocabulary).at(text, start) == longest


@given(st.text(max_size=300))
def test_fold_memo_returns_what_normalize_gives(text: str) -> None:
    assert _normalize.fold(text) == str(_normalize.normalize(text))
    assert _normalize.fold(text) == str(_normalize.normalize(text))  # (now from the memo)

