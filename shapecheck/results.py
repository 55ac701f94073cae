"""What an analysis of one file produces: models, tensors and diagnostics.

These plain records are the boundary between the engine and the reporters
(text, JSON, summary table); nothing here knows about libcst.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shapecheck.dims import dim_to_json

Shape = tuple  # tuple[Dim, ...]; a layer taking several inputs has a list of shapes


def _with_verified(document: dict, verified) -> dict:
    """Add ``verified`` only when --verify ran (the contract grows by keys only)."""
    if verified is not None:
        document["verified"] = verified
    return document


def shape_to_json(shape):
    """A shape (or a list of shapes, or None) as the contract's JSON value."""
    if shape is None:
        return None
    if isinstance(shape, list):
        return [shape_to_json(s) for s in shape]
    return [dim_to_json(d) for d in shape]


@dataclass
class LayerReport:
    name: str
    cls: str
    line: int
    input_shape: Shape | list | None
    output_shape: Shape | list | None
    params: int | None
    layers: list[LayerReport] = field(default_factory=list)
    verified: bool | None = None  # set by --verify

    def to_json(self) -> dict:
        return _with_verified({
            "name": self.name,
            "class": self.cls,
            "line": self.line,
            "input_shape": shape_to_json(self.input_shape),
            "output_shape": shape_to_json(self.output_shape),
            "params": self.params,
            "layers": [layer.to_json() for layer in self.layers],
        }, self.verified)


@dataclass
class ModelReport:
    name: str
    kind: str  # "sequential" | "functional" | "subclass"
    line: int
    input_shape: Shape | list | None
    output_shape: Shape | list | None
    params: int | None
    layers: list[LayerReport] = field(default_factory=list)
    verified: bool | None = None  # set by --verify

    def to_json(self) -> dict:
        return _with_verified({
            "name": self.name,
            "kind": self.kind,
            "line": self.line,
            "input_shape": shape_to_json(self.input_shape),
            "output_shape": shape_to_json(self.output_shape),
            "params": self.params,
            "layers": [layer.to_json() for layer in self.layers],
        }, self.verified)


@dataclass
class TensorReport:
    line: int
    column: int
    name: str
    shape: Shape

    def to_json(self) -> dict:
        return {"line": self.line, "column": self.column, "name": self.name,
                "shape": shape_to_json(self.shape)}


@dataclass(frozen=True)
class Diagnostic:
    code: str
    name: str
    severity: str  # "error" | "warning"
    line: int
    column: int
    end_line: int
    end_column: int
    message: str

    def to_json(self) -> dict:
        return {"code": self.code, "name": self.name, "severity": self.severity,
                "line": self.line, "column": self.column,
                "end_line": self.end_line, "end_column": self.end_column,
                "message": self.message}


@dataclass
class FileReport:
    path: str
    error: str | None = None
    models: list[ModelReport] = field(default_factory=list)
    tensors: list[TensorReport] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # --verify: {"status": "confirmed" | "mismatch" | "failed", "error": TensorFlow's exception}
    verify: dict | None = None
    # (construct, line) for each thing shapecheck does not model that it met (not in JSON)
    gaps: list[tuple[str, int]] = field(default_factory=list)

    def to_json(self) -> dict:
        document = {
            "path": self.path,
            "error": self.error,
            "models": [m.to_json() for m in self.models],
            "tensors": [t.to_json() for t in self.tensors],
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }
        if self.verify is not None:
            document["verify"] = self.verify
        return document
