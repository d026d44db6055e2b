"""perfeval.testing's strategies, exercised the way a downstream suite uses them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml
from hypothesis import given, settings

import perfeval
from perfeval.testing import Case, cases, documents, targets


class TestCases:
    @given(cases())
    def test_evaluate_agrees_with_the_constructed_status(self, case: Case) -> None:
        target, actual, name, expected = case
        assert perfeval.evaluate(target, actual, name=name).status == expected


class TestTargets:
    @given(targets())
    def test_every_drawn_target_parses_and_round_trips(self, text: str) -> None:
        target = perfeval.parse_target(text)
        assert target.kind != "qualitative" or text == target.text
        assert perfeval.parse_target(str(target)) == target


class TestDocuments:
    @settings(max_examples=50)
    @given(documents())
    def test_documents_score_within_bounds(self, doc: dict[str, Any]) -> None:
        report = perfeval.score(doc)
        assert Decimal(0) <= report.total <= Decimal(100)
        for row in report.indicators:
            assert Decimal(0) <= row.score <= row.weight

    @settings(max_examples=25)
    @given(documents(kind="project", as_yaml=True))
    def test_yaml_text_loads_to_the_same_report(self, text: str) -> None:
        mapping = yaml.safe_load(text)
        assert perfeval.score(mapping).to_dict() == perfeval.score(perfeval.load(mapping)).to_dict()
