"""Shared test configuration: Hypothesis profiles.

``ci`` (the default) keeps the property tests fast enough for every run;
``fuzz`` hunts for crashes and broken laws with many more examples.  Choose
with the environment variable, e.g. ``HYPOTHESIS_PROFILE=fuzz pytest tests/property``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    max_examples=100_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# Between the two: a few minutes of hunting before a commit.
settings.register_profile(
    "hunt",
    max_examples=4000,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: object) -> None:
    # Hypothesis' failure report touches mypy_extensions, which warns on import;
    # under filterwarnings=error that warning would hide the falsifying example.
    import warnings

    warnings.filterwarnings("ignore", message="mypy_extensions.TypedDict is deprecated",
                            category=DeprecationWarning)
