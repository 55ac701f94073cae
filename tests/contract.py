"""``assert_valid_contract(doc)``: check a JSON document against the output contract's schema."""

import json
from importlib import resources

import jsonschema

SCHEMA = json.loads(
    (resources.files("shapecheck") / "schema" / "contract.schema.json").read_text("utf-8"))
jsonschema.Draft202012Validator.check_schema(SCHEMA)
_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def assert_valid_contract(doc) -> None:
    """Fail with every violation (and where it is) if ``doc`` breaks the contract."""
    errors = sorted(_VALIDATOR.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "output breaks the contract schema:\n" + "\n".join(
        f"  at /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)
