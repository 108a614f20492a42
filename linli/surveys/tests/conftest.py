"""Fixtures shared by the survey tests."""

from __future__ import annotations

import pytest

from conftest import make_staff
from linli.surveys.testing import open_census_round


@pytest.fixture
def researcher(world):
    """The company's 客户调研员 (not one of the shared personas)."""
    return make_staff("researcher", "survey_researcher")


@pytest.fixture
def round_(world, researcher):
    """A census round of CH with ten households, drawn and opened."""
    return open_census_round(world, researcher)
