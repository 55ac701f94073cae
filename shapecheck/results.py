"""What an analysis of one file produces: models, tensors and diagnostics.

These plain records are the boundary between the engine and the reporters
(text, JSON, summary table); nothing here knows about libcst.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from shapecheck.dims import dim_to_json

Shape = tuple  # tuple[Dim, ...]; a layer taking several inputs has a list of shapes
_LINE_IN_MESSAGE = re.compile(r"\bline (\d+)\b")


def _line(line: int) -> dict:
    """A position's JSON keys in a file of Python (see ``FileReport.position``)."""
    return {"line": line}


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
    # the layers beside it (or the inputs) whose outputs it takes: Keras's "Connected to"
    connected_to: tuple[str, ...] = ()

    def to_json(self, position=_line) -> dict:
        return _with_verified({
            "name": self.name,
            "class": self.cls,
            **position(self.line),
            "input_shape": shape_to_json(self.input_shape),
            "output_shape": shape_to_json(self.output_shape),
            "params": self.params,
            "layers": [layer.to_json(position) for layer in self.layers],
            "connected_to": list(self.connected_to),
        }, self.verified)


def call_keys(layers) -> list[str]:
    """The name each of a model's layer calls (``LayerReport``s of one level) goes by in
    ``connected_to``: its name, and ``name[k]`` for its call k (from 0) when called again."""
    keys, calls = [], Counter()
    for layer in layers:
        keys.append(layer.name if not calls[layer.name] else f"{layer.name}[{calls[layer.name]}]")
        calls[layer.name] += 1
    return keys


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
    # a symbolic input's conditions (``shapecheck.accepts``); None: no claim
    accepts: list[str] | None = None
    # the names its layers' ``connected_to`` give its inputs, in order (not in JSON)
    input_names: tuple[str, ...] = ()

    def to_json(self, position=_line) -> dict:
        document = {
            "name": self.name,
            "kind": self.kind,
            **position(self.line),
            "input_shape": shape_to_json(self.input_shape),
            "output_shape": shape_to_json(self.output_shape),
            "params": self.params,
            "layers": [layer.to_json(position) for layer in self.layers],
        }
        if self.accepts is not None:  # the contract grows by keys only
            document["accepts"] = self.accepts
        return _with_verified(document, self.verified)


@dataclass
class TensorReport:
    line: int
    column: int
    name: str
    shape: Shape

    def to_json(self, position=_line) -> dict:
        return {**position(self.line), "column": self.column, "name": self.name,
                "shape": shape_to_json(self.shape)}


def _span(place, position) -> dict:
    """The JSON keys of where ``place`` (an Edit, a Related, a Diagnostic) is written."""
    return {**position(place.line), "column": place.column,
            "end_line": position(place.end_line)["line"], "end_column": place.end_column}


@dataclass(frozen=True)
class Edit:
    """Replace the text from (line, column) to (end_line, end_column), 1-based, by ``text``."""

    line: int
    column: int
    end_line: int
    end_column: int
    text: str

    def to_json(self, position=_line) -> dict:
        return {**_span(self, position), "text": self.text}


@dataclass(frozen=True)
class Fix:
    """What ``--fix`` changes for a finding: a title and the edits of the checked file."""

    title: str
    edits: tuple[Edit, ...]

    def to_json(self, position=_line) -> dict:
        return {"title": self.title, "edits": [e.to_json(position) for e in self.edits]}


@dataclass(frozen=True)
class Related:
    """A second place a finding names: where the shape it is about is set, when that is
    not where TensorFlow raises (SARIF ``relatedLocations``, a ``note:`` line in text)."""

    line: int
    column: int
    end_line: int
    end_column: int
    message: str

    def to_json(self, position=_line) -> dict:
        return {**_span(self, position), "message": self.message}


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
    # In code of another file of the project (its path), reached from the checked file:
    file: str | None = None
    via: tuple[str, int] | None = None  # (checked file, line) of the call that reached it
    fix: Fix | None = None
    related: tuple[Related, ...] = ()

    def to_json(self, position=_line, message=None) -> dict:
        document = {"code": self.code, "name": self.name, "severity": self.severity,
                    **_span(self, position), "message": self.message if message is None else message}
        if self.fix is not None:  # the contract grows by keys only
            document["fix"] = self.fix.to_json(position)
        if self.related:
            document["related"] = [r.to_json(position) for r in self.related]
        return document


@dataclass
class FileReport:
    """One file's results. Lines are the analysed program's; in a notebook, ``places``
    says where each is written, and the methods below give positions as cells and lines."""

    path: str
    error: str | None = None
    models: list[ModelReport] = field(default_factory=list)
    tensors: list[TensorReport] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # --verify: {"status": "confirmed" | "mismatch" | "failed", "error": TensorFlow's exception}
    verify: dict | None = None
    # (construct, line) for each thing shapecheck does not model that it met (not in JSON)
    gaps: list[tuple[str, int]] = field(default_factory=list)
    # a notebook: the notebooks.Place of each line of its program
    places: tuple | None = None
    # the analysed program's lines (for --show-source; not in JSON)
    lines: tuple = ()
    # (path, hash of its text) of each project module the analysis ran (for the cache)
    modules: tuple = ()

    def place(self, line: int):
        """The notebook's ``Place`` of a program line; None in a file of Python."""
        if not self.places or line is None or not 1 <= line <= len(self.places):
            return None
        return self.places[line - 1]

    def position(self, line: int) -> dict:
        """A line as JSON keys: ``{"line": 5}``, in a notebook ``{"cell": 3, "line": 5}``."""
        place = self.place(line)
        return {"line": line} if place is None else {"cell": place.cell, "line": place.line}

    def where(self, line: int) -> str:
        """A line as the text output writes it after the path: ``5``, or ``cell 3:5``."""
        place = self.place(line)
        return str(line) if place is None else f"cell {place.cell}:{place.line}"

    def line_text(self, line: int) -> str:
        """A line in words: ``line 5``, or ``cell 3, line 5``."""
        place = self.place(line)
        return f"line {line}" if place is None else f"cell {place.cell}, line {place.line}"

    def message(self, diagnostic: Diagnostic) -> str:
        """The diagnostic's message, its ``line N`` mentions written as ``line_text`` does."""
        if self.places is None:
            return diagnostic.message
        return _LINE_IN_MESSAGE.sub(lambda m: self.line_text(int(m.group(1))), diagnostic.message)

    def to_json(self) -> dict:
        document = {
            "path": self.path,
            "error": self.error,
            "models": [m.to_json(self.position) for m in self.models],
            "tensors": [t.to_json(self.position) for t in self.tensors],
            "diagnostics": [d.to_json(self.position, self.message(d)) for d in self.diagnostics],
        }
        if self.verify is not None:
            document["verify"] = self._verify_json()
        return document

    def _verify_json(self) -> dict:
        verify, error = dict(self.verify), self.verify["error"]
        if error is not None and error.get("line") is not None:
            verify["error"] = {**error, **self.position(error["line"])}
        if "symbolic" in verify:
            verify["symbolic"] = [{**case, **self.position(case["line"])} for case in verify["symbolic"]]
        return verify
