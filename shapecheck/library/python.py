"""Python's builtins and the list and dict methods model code uses."""

from __future__ import annotations

from dataclasses import dataclass

from shapecheck.library.registry import function, method
from shapecheck.values import UNKNOWN, Tensor

BUILTINS = frozenset({
    "print", "len", "range", "list", "tuple", "int", "float", "str", "bool", "super",
    "isinstance", "zip", "enumerate", "min", "max", "sum", "abs", "round", "dict",
    "reversed", "sorted", "iter", "next", "set", "frozenset",
})


@dataclass
class Iterated:
    """The known items of ``zip(...)`` / ``enumerate(...)``."""

    items: list


@function("builtins.print")
def _print(site):
    return None


@function("builtins.iter")
def _iter(site):
    return site.args[0] if site.args else UNKNOWN


@function("builtins.next")
def _next(site):
    return site.ev.first(site.args[0]) if site.args else UNKNOWN


@function("builtins.len")
def _len(site):
    value = site.args[0] if site.args else UNKNOWN
    if isinstance(value, Tensor):
        return value.shape[0] if value.shape else UNKNOWN
    return len(value) if isinstance(value, (list, tuple, dict, str, range)) else UNKNOWN


@function("builtins.range")
def _range(site):
    if site.args and all(isinstance(a, int) for a in site.args):
        return range(*site.args)
    return UNKNOWN


@function("builtins.list", "builtins.tuple")
def _sequence(site):
    items = site.ev.iterate(site.args[0]) if site.args else []
    if items is None:
        return UNKNOWN
    return list(items) if site.name == "builtins.list" else tuple(items)


@function("builtins.zip", "builtins.enumerate")
def _zip(site):
    lists = [site.ev.iterate(a) for a in site.args]
    if any(items is None for items in lists):
        return UNKNOWN
    if site.name == "builtins.zip":
        return Iterated([tuple(group) for group in zip(*lists)])
    start = site.kwargs.get("start", 0)
    return Iterated(list(enumerate(lists[0], start))) if isinstance(start, int) else UNKNOWN


_PURE_BUILTINS = {
    "int": int, "float": float, "str": str, "bool": bool, "abs": abs, "round": round,
    "min": min, "max": max, "sum": sum, "sorted": sorted, "reversed": lambda v: list(reversed(v)),
    "set": set, "frozenset": frozenset,
}
_PLAIN = (int, float, str, bool, list, tuple, range, set, frozenset)


@function(*(f"builtins.{name}" for name in _PURE_BUILTINS))
def _pure(site):
    """A builtin computed on plain Python values."""
    if not all(isinstance(v, _PLAIN) for v in site.args):
        return UNKNOWN
    try:
        return _PURE_BUILTINS[site.name[len("builtins."):]](*site.args)
    except Exception:
        return UNKNOWN


# ------------------------------------------------------------------- list methods
@method("list", "append")
def _append(site):
    if len(site.args) != 1:
        return UNKNOWN
    site.obj.append(site.args[0])
    return None


@method("list", "extend")
def _extend(site):
    if not (site.args and isinstance(site.args[0], (list, tuple))):
        return UNKNOWN
    site.obj.extend(site.args[0])
    return None


@method("list", "insert")
def _insert(site):
    if not (len(site.args) == 2 and isinstance(site.args[0], int)):
        return UNKNOWN
    site.obj.insert(site.args[0], site.args[1])
    return None


@method("list", "reverse")
def _reverse(site):
    if site.args:
        return UNKNOWN
    site.obj.reverse()
    return None


@method("list", "pop")
def _pop(site):
    if not (all(isinstance(a, int) for a in site.args) and site.obj):
        return UNKNOWN
    return site.obj.pop(*site.args)


@method("list", "index")
def _index(site):
    if not (len(site.args) == 1 and site.args[0] in site.obj):
        return UNKNOWN
    return site.obj.index(site.args[0])


@method("list", "copy")
def _copy(site):
    return UNKNOWN if site.args else list(site.obj)


@method("list", "remove")
def _remove(site):
    if not (len(site.args) == 1 and site.args[0] in site.obj):
        return UNKNOWN
    site.obj.remove(site.args[0])
    return None


@method("list", "clear")
def _clear(site):
    site.obj.clear()
    return None


@method("list", "sort")
def _sort(site):
    site.obj[:] = [UNKNOWN] * len(site.obj)  # the new order is not known
    return None


# ------------------------------------------------------------------- dict methods
@method("dict", "get")
def _get(site):
    if not site.args:
        return UNKNOWN
    return site.obj.get(site.args[0], site.args[1] if len(site.args) > 1 else None)


@method("dict", "items", "keys", "values")
def _views(site):
    return list(getattr(site.obj, site.name)())
