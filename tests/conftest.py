"""Shared fixtures; the contract check lives in ``contract.py`` so tests can import it."""

import pytest
from contract import assert_valid_contract as _assert_valid_contract


@pytest.fixture
def assert_valid_contract():
    """The contract-schema check, as a fixture."""
    return _assert_valid_contract
