"""Merging: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate (several inputs)."""

from __future__ import annotations

from shapecheck import dims
from shapecheck.dims import format_shape
from shapecheck.layers import REQUIRED, LayerSpec, ShapeError, register
from shapecheck.values import UNKNOWN


def _shapes_text(shapes) -> str:
    return ", ".join(format_shape(s) for s in shapes)


def _broadcast(name, shapes, left, right):
    """Keras's elementwise output shape of two non-batch shapes, aligned on the right."""
    long, short = (left, right) if len(left) >= len(right) else (right, left)
    merged = list(long[:len(long) - len(short)])
    for a, b in zip(long[len(long) - len(short):], short):
        if a is None or b is None:
            merged.append(None)
        elif a is UNKNOWN or b is UNKNOWN:
            merged.append(UNKNOWN)
        elif a == 1 or b == 1:
            merged.append(b if a == 1 else a)
        elif isinstance(a, int) and isinstance(b, int) and a != b:
            raise ShapeError(
                "incompatible-input",
                f"{name} gets inputs of incompatible shapes {_shapes_text(shapes)}: "
                f"elementwise merges need equal sizes (or 1) on every axis: bring one input to "
                f"the other's shape first (a Dense or 1x1 convolution of that width)")
        else:
            merged.append(a if isinstance(a, int) else b)
    return tuple(merged)


def _elementwise(name: str):
    def output(config, shapes):
        if len(shapes) < 2 and name != "Add":
            raise ShapeError("incompatible-input", f"{name} needs at least 2 inputs, got {len(shapes)}")
        batches = {s[0] for s in shapes if s and isinstance(s[0], int)}
        if len(batches) > 1:
            raise ShapeError("incompatible-input",
                             f"{name} cannot merge tensors with different batch sizes: "
                             f"{_shapes_text(shapes)}")
        result = tuple(shapes[0][1:])
        for shape in shapes[1:]:
            result = _broadcast(name, shapes, result, tuple(shape[1:]))
        if batches:
            batch = batches.pop()
        elif all(s and s[0] == shapes[0][0] for s in shapes):
            batch = shapes[0][0]  # a shared symbolic batch
        else:
            batch = None if any(s and s[0] is None for s in shapes) else UNKNOWN
        return (batch, *result)

    return LayerSpec(name, (), output, multi_input=True)


def _concatenate_output(config, shapes):
    axis = config["axis"]
    if not isinstance(axis, int) or len({len(s) for s in shapes}) != 1:
        if len({len(s) for s in shapes}) != 1:
            raise ShapeError("incompatible-input",
                             f"Concatenate gets inputs of different ranks: {_shapes_text(shapes)}: "
                             f"give them one rank first (a Reshape, or keepdims=True where a "
                             f"reduction dropped an axis)")
        return None
    rank = len(shapes[0])
    axis %= rank
    for i in range(1, rank):
        if i == axis:
            continue
        sizes = {s[i] for s in shapes if isinstance(s[i], int)}
        if len(sizes) > 1:
            raise ShapeError(
                "incompatible-input",
                f"Concatenate(axis={config['axis']}) needs equal sizes on every other axis, but "
                f"axis {i} differs: {_shapes_text(shapes)}: crop or pad one input to the other's "
                f"size (Cropping / ZeroPadding layers), or choose an input size that every "
                f"downsampling divides")
    total = 0
    for s in shapes:
        total = dims.add(total, s[axis])
    out = list(shapes[0])
    out[axis] = total
    return tuple(out)


def _dot_output(config, shapes):
    if len(shapes) != 2:
        raise ShapeError("incompatible-input", f"Dot needs exactly 2 inputs, got {len(shapes)}")
    left, right = shapes
    axes = config["axes"]
    axes = (axes, axes) if isinstance(axes, int) else axes
    if not (isinstance(axes, (tuple, list)) and len(axes) == 2 and all(isinstance(a, int) for a in axes)):
        return None
    a, b = axes[0] % len(left), axes[1] % len(right)
    if isinstance(left[a], int) and isinstance(right[b], int) and left[a] != right[b]:
        raise ShapeError(
            "incompatible-input",
            f"Dot(axes={config['axes']!r}) multiplies axis {a} of {format_shape(left)} with axis "
            f"{b} of {format_shape(right)}: their sizes {left[a]} and {right[b]} must be equal: "
            f"choose axes of equal size, or project one input to the other's width first")
    out = (*left[:a], *left[a + 1:], *(d for i, d in enumerate(right) if i not in (0, b)))
    return out if len(out) > 1 else (*out, 1)


register(
    LayerSpec("Dot", (("axes", REQUIRED), ("normalize", False)), _dot_output, multi_input=True),
    *(_elementwise(n) for n in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")),
    LayerSpec("Concatenate", (("axis", -1),), _concatenate_output, multi_input=True),
)
