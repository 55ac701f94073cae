"""Each modelled layer's constructor signature is Keras's own (so SHP206/SHP207 and
positional arguments are right): checked against the installed Keras."""

from __future__ import annotations

import inspect

import pytest

from shapecheck.layers import BASE_KWARGS, KERAS_BASES, REGISTRY, REQUIRED

keras = pytest.importorskip("keras")  # installed with the test extra (TensorFlow)

SPECS = sorted({spec.name: spec for spec in REGISTRY.values()}.values(), key=lambda s: s.name)


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_signature_matches_keras(spec):
    parameters = [p for p in inspect.signature(getattr(keras.layers, spec.name).__init__)
                  .parameters.values() if p.name != "self" and p.kind is not p.VAR_KEYWORD]
    # Arguments every layer takes (name=, activity_regularizer=, ...) may sit anywhere.
    ours = [(name, default is REQUIRED) for name, default in spec.signature
            if name not in BASE_KWARGS or default is REQUIRED]
    theirs = [(p.name, p.default is p.empty) for p in parameters
              if p.name not in BASE_KWARGS or p.default is p.empty]
    assert ours == theirs


@pytest.mark.parametrize("name", sorted({n.rsplit(".", 1)[-1] for n in REGISTRY}))
def test_aliases_are_keras_names(name):
    assert hasattr(keras.layers, name)


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_the_modelled_base_classes_are_keras_own(spec):
    cls = getattr(keras.layers, spec.name)
    bases = {other.name for other in SPECS if other is not spec
             and issubclass(cls, getattr(keras.layers, other.name))}
    assert bases == set(KERAS_BASES.get(spec.name, ()))
