"""Shared fixtures; the contract check lives in ``contract.py`` so tests can import it."""

import pytest
from contract import assert_valid_contract as _assert_valid_contract


@pytest.fixture
def assert_valid_contract():
    """The contract-schema check, as a fixture."""
    return _assert_valid_contract


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch):
    """No test reads results another test cached (some check with a stand-in engine);
    tests/test_cache.py turns the cache on where it tests it."""
    monkeypatch.setenv("SHAPECHECK_NO_CACHE", "1")
