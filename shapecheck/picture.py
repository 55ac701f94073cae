"""Pictures of models: the inputs and layers of each as a graph, drawn as a Mermaid
flowchart (``summary --format mermaid``: Markdown that GitHub and Jupyter render as is)
or as SVG (``summary --format svg``, laid out here, without graphviz).

A layer is a box with its name, class, output shape and parameter count; an arrow goes
from each layer (or input) whose output it takes (its ``connected_to``). A Sequential's
layers run in order, so one whose inputs are not known takes the previous one's output;
in other models such a layer has no arrow in: unknown is not drawn as known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from shapecheck.dims import format_shape
from shapecheck.report import heading, model_blocks
from shapecheck.results import FileReport, LayerReport, ModelReport, call_keys


@dataclass
class Box:
    """A node of the picture: an input or a layer call (with the layers inside it)."""

    key: str  # what connections name it by (``call_keys``)
    title: str
    detail: str
    inbound: tuple[str, ...] = ()
    inner: list[Box] = field(default_factory=list)
    kind: str = "layer"  # or "input"


def _params(params) -> str:
    return "? params" if params is None else f"{params:,} params"


def _boxes(layers: list[LayerReport], chained: bool) -> list[Box]:
    boxes, previous = [], None
    for layer, key in zip(layers, call_keys(layers)):
        inbound = layer.connected_to or ((previous,) if chained and previous else ())
        boxes.append(Box(key, f"{layer.name}: {layer.cls}",
                         f"{format_shape(layer.output_shape)} · {_params(layer.params)}",
                         inbound, _boxes(layer.layers, layer.cls == "Sequential")))
        previous = key
    return boxes


def graph(model: ModelReport) -> list[Box]:
    """The model's inputs, then its layers, as boxes."""
    names = model.input_names or ("input",)
    shapes = model.input_shape if isinstance(model.input_shape, list) and len(names) > 1 \
        else [model.input_shape] * len(names)
    inputs = [Box(name, f"{name}: Input", format_shape(shape), kind="input")
              for name, shape in zip(names, shapes)]
    layers = _boxes(model.layers, model.kind == "sequential")
    if layers and model.kind == "sequential" and not layers[0].inbound:
        layers[0].inbound = (inputs[0].key,)
    return inputs + layers


# ---------------------------------------------------------------- Mermaid

def _label(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _mermaid_nodes(boxes: list[Box], ids: dict, lines: list, depth: int) -> None:
    pad = "  " * depth
    scope = {box.key: ids.setdefault(id(box), f"n{len(ids)}") for box in boxes}
    for box in boxes:
        text = f"{_label(box.title)}<br/>{_label(box.detail)}"
        if box.inner:
            lines.append(f'{pad}subgraph {scope[box.key]}["{text}"]')
            _mermaid_nodes(box.inner, ids, lines, depth + 1)
            lines.append(f"{pad}end")
        else:
            lines.append(f'{pad}{scope[box.key]}["{text}"]')
    for box in boxes:
        lines.extend(f"{pad}{scope[source]} --> {scope[box.key]}"
                     for source in box.inbound if source in scope)


def render_mermaid(reports: list[FileReport]) -> str:
    """A heading line and a ``mermaid`` fenced flowchart (Markdown) for every model."""
    return "\n\n".join(model_blocks(reports, _mermaid))


def _mermaid(report: FileReport, model: ModelReport) -> str:
    lines = ["flowchart TD"]
    _mermaid_nodes(graph(model), {}, lines, 1)
    return heading(report, model) + "\n\n```mermaid\n" + "\n".join(lines) + "\n```"


# ---------------------------------------------------------------- SVG

_CHAR, _LINE, _PAD, _GAP_X, _GAP_Y, _HEAD = 7.2, 16, 10, 24, 40, 28


def _layers(boxes: list[Box]) -> list[list[Box]]:
    """Boxes in rows: each one row below the lowest box it takes an output of (a box with
    no known input, below the one before it)."""
    depth: dict[str, int] = {}
    for at, box in enumerate(boxes):
        known = [depth[key] for key in box.inbound if key in depth]
        if known:
            depth[box.key] = 1 + max(known)
        else:
            depth[box.key] = 0 if box.kind == "input" or not at else depth[boxes[at - 1].key] + 1
    rows: list[list[Box]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for box in boxes:
        rows[depth[box.key]].append(box)
    return rows


def _box_size(box: Box) -> tuple[float, float]:
    return max(len(box.title), len(box.detail)) * _CHAR + 2 * _PAD, 2 * _LINE + _PAD


def _text(x: float, y: float, text: str, kind: str = "") -> str:
    style = f' class="{kind}"' if kind else ""
    return f'<text x="{x:.1f}" y="{y:.1f}"{style}>{escape(text)}</text>'


def _by_key(boxes: list[Box], key: str) -> Box:
    return next(box for box in boxes if box.key == key)


def _model_svg(title: str, boxes: list[Box], top: float) -> tuple[list[str], float, float]:
    """SVG elements of one model below ``top``, and the width and height they take."""
    rows = _layers(boxes)
    widths = [sum(_box_size(b)[0] for b in row) + _GAP_X * (len(row) - 1) for row in rows]
    width = max([len(title) * _CHAR, *widths])
    height = _box_size(boxes[0])[1] if boxes else 0
    at: dict[str, tuple[float, float, float]] = {}  # key -> (centre x, top y, bottom y)
    parts = [_text(0, top + 16, title, "title")]
    y = top + _HEAD
    for row, row_width in zip(rows, widths):
        x = (width - row_width) / 2
        for box in row:
            w, h = _box_size(box)
            at[box.key] = (x + w / 2, y, y + h)
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="6" '
                         f'class="{box.kind}"/>' + _text(x + w / 2, y + _PAD + 8, box.title, "name")
                         + _text(x + w / 2, y + _PAD + 8 + _LINE, box.detail))
            x += w + _GAP_X
        y += height + _GAP_Y
    right = max((x + _box_size(b)[0] / 2 for b in boxes for x in [at[b.key][0]]), default=0)
    detours = 0
    for box in boxes:
        x2, y2, bottom2 = at[box.key]
        for source in box.inbound:
            if source not in at:
                continue
            x1, top1, y1 = at[source]
            if y2 - y1 <= _GAP_Y + 1:  # from the row just above: straight down
                middle = (y1 + y2) / 2
                parts.append(f'<path d="M{x1:.1f},{y1:.1f} C{x1:.1f},{middle:.1f} {x2:.1f},{middle:.1f} '
                             f'{x2:.1f},{y2 - 2:.1f}" class="edge"/>')
                continue
            detours += 1  # past the rows between: round them on the right
            side = right + 12 * detours
            start = (x1 + _box_size(_by_key(boxes, source))[0] / 2, (top1 + y1) / 2)
            end = (x2 + _box_size(box)[0] / 2, (y2 + bottom2) / 2)
            parts.append(f'<path d="M{start[0]:.1f},{start[1]:.1f} C{side:.1f},{start[1]:.1f} '
                         f'{side:.1f},{end[1]:.1f} {end[0] + 2:.1f},{end[1]:.1f}" class="edge"/>')
            width = max(width, side)
    return parts, width, y - top - _GAP_Y + _PAD


_STYLE = ("text{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px;"
          "text-anchor:middle;fill:#222}"
          ".title{font-weight:bold;text-anchor:start}.name{font-weight:bold}"
          "rect.layer{fill:#eef3fb;stroke:#4a6fa5}rect.input{fill:#f4f4f4;stroke:#888}"
          ".edge{fill:none;stroke:#555;marker-end:url(#arrow)}")


def render_svg(reports: list[FileReport]) -> str:
    """One SVG document: every model of every file, one below the other."""
    parts, width, top = [], 0.0, 0.0
    for report in reports:
        if report.error is not None or not report.models:
            why = f"error: {report.error}" if report.error is not None else "no models found"
            parts.append(_text(0, top + 16, f"{report.path}: {why}", "title"))
            width, top = max(width, len(report.path + why) * _CHAR), top + _HEAD
        for model in report.models:
            drawn, w, h = _model_svg(heading(report, model), graph(model), top)
            parts += drawn
            width, top = max(width, w), top + h + _HEAD
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width + 2 * _PAD:.0f}" '
            f'height="{top + _PAD:.0f}" viewBox="{-_PAD} {-_PAD} {width + 2 * _PAD:.0f} {top + _PAD:.0f}">'
            f'<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>'
            f"<style>{_STYLE}</style>\n" + "\n".join(parts) + "\n</svg>\n")
