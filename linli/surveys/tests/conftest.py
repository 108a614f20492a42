"""Fixtures shared by the survey tests."""

from __future__ import annotations

import pytest

from conftest import make_staff


@pytest.fixture
def researcher(world):
    """The company's 客户调研员 (not one of the shared personas)."""
    return make_staff("researcher", "survey_researcher")
