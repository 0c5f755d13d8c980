"""Shared test configuration: hypothesis profiles and the ``x64`` fixture.

Profiles (chosen by the ``HYPOTHESIS_PROFILE`` environment variable, default ``dev``):

* ``ci``: derandomised and small, so a CI run is fast and reproducible (scripts/test.sh).
* ``dev``: more random examples, for local bug hunting.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import funcnet

_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile("ci", derandomize=True, max_examples=8, deadline=None,
                          suppress_health_check=_SLOW, print_blob=True)
settings.register_profile("dev", max_examples=40, deadline=None, suppress_health_check=_SLOW)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def x64():
    """Runs one test with ``enable_x64`` on (float64/int64 kept), restoring the mode after."""
    before = funcnet.config.enable_x64
    funcnet.config.update("enable_x64", True)
    try:
        yield
    finally:
        funcnet.config.update("enable_x64", before)


def pytest_configure(config):
    # hypothesis imports mypy_extensions lazily while it reports a failing example; under
    # ``filterwarnings = error`` its DeprecationWarning would turn a failure into INTERNALERROR
    config.addinivalue_line(
        "filterwarnings", "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")
