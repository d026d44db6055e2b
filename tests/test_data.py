"""The copies in tests/data are the shared originals, byte for byte, wherever
those are checked out next to the repository (a clean checkout has only the
copies, and runs every test that reads them)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


@pytest.mark.parametrize("copy, original", [
    ("real-strings.tsv", "corpus/real-strings.tsv"),
    ("jianghan-2024-final-accounts.txt", "seed/jianghan-2024-final-accounts.txt"),
])
def test_a_copy_is_its_original(copy: str, original: str) -> None:
    source = SHARED / original
    if not source.is_file():
        pytest.skip(f"{source} is not checked out here")
    assert (DATA / copy).read_bytes() == source.read_bytes()
