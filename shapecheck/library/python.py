"""Python's builtins and the list and dict methods model code uses."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

from shapecheck.library.layers import keras_isinstance
from shapecheck.library.registry import function, method, value
from shapecheck.objects import Partial
from shapecheck.values import MAX_ITEMS, UNKNOWN, ApiRef, Items, Tensor, plain, range_length, truth

BUILTINS = frozenset({
    "print", "len", "range", "list", "tuple", "int", "float", "str", "bool", "super",
    "isinstance", "zip", "enumerate", "min", "max", "sum", "abs", "round", "dict",
    "reversed", "sorted", "iter", "next", "set", "frozenset", "all", "any", "divmod", "pow",
    "map", "filter", "hasattr", "callable", "vars", "open", "getattr", "setattr", "type",
})
_TYPES = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "tuple": tuple,
          "dict": dict, "set": set, "frozenset": frozenset, "range": range}


@dataclass
class Iterated:
    """``zip(...)`` / ``enumerate(...)`` / ``reversed(...)``: its items, or (``items`` None) only its first
    one, when it goes over a data set or a long tensor whose first item stands for all."""

    items: list | None
    first: object = UNKNOWN


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
    if isinstance(value, range):
        return range_length(value)
    if isinstance(value, (list, tuple, dict, str)):
        return len(value)
    from shapecheck import library  # (the package imports this module)

    return library.call_method(site.ev, value, "__len__", [], {}, site.node) \
        if library.has_method(value, "__len__") else UNKNOWN


@function("builtins.range")
def _range(site):
    """A range; of bounds not all known (integers of unknown value), ints of unknown number."""
    if site.args and all(isinstance(a, int) for a in site.args):
        return range(*site.args)
    if 1 <= len(site.args) <= 3 and not site.kwargs and all(_whole(a) for a in site.args):
        return Items(Tensor((), "int64", python=True))
    return UNKNOWN


def _whole(value) -> bool:
    """An int, or a number of unknown value known to be an integer."""
    return isinstance(value, int) and not isinstance(value, bool) or isinstance(value, Tensor) \
        and value.shape == () and (value.dtype or "").startswith(("int", "uint"))


@function("builtins.list", "builtins.tuple")
def _sequence(site):
    if site.args and isinstance(site.args[0], Items):
        return Items(site.args[0].item)
    items = site.ev.iterate(site.args[0]) if site.args else []
    if items is None:
        return UNKNOWN
    return list(items) if site.name == "builtins.list" else tuple(items)


@function("builtins.zip", "builtins.enumerate")
def _zip(site):
    ev, is_zip = site.ev, site.name == "builtins.zip"
    start = site.arg(1, "start", 0)  # (enumerate(items, 1))
    if not is_zip and not (isinstance(start, int) and 1 <= len(site.args) <= 2):
        return UNKNOWN
    iterables = site.args if is_zip else site.args[:1]
    lists = [ev.iterate(a) for a in iterables]
    if any(items is None for items in lists):
        firsts = [ev.first(a) for a in iterables]
        if UNKNOWN in firsts:
            return UNKNOWN
        return Iterated(None, tuple(firsts) if is_zip else (start, firsts[0]))
    if is_zip:
        return Iterated([tuple(group) for group in zip(*lists)])
    return Iterated(list(enumerate(lists[0], start)))


@function("builtins.reversed")
def _reversed(site):
    """``reversed(items)``: the items backwards, whatever they are (tensors, layers)."""
    items = site.ev.iterate(site.args[0]) if len(site.args) == 1 else None
    return UNKNOWN if items is None else Iterated(items[::-1])


_PURE_BUILTINS = {
    "int": int, "float": float, "str": str, "bool": bool, "abs": abs, "round": round,
    "min": min, "max": max, "sum": sum, "sorted": sorted,
    "set": set, "frozenset": frozenset, "all": all, "any": any, "divmod": divmod, "pow": pow,
    **{f"math.{name}": getattr(math, name) for name in (
        "ceil", "floor", "sqrt", "log", "log2", "log10", "exp", "pow", "prod", "gcd", "isqrt",
        "trunc", "fabs")},
}
_PLAIN = (int, float, str, bool, list, tuple, range, set, frozenset)


@function(*(name if "." in name else f"builtins.{name}" for name in _PURE_BUILTINS))
def _pure(site):
    """A builtin or ``math`` function computed on plain Python values (not on a range too
    long to go through: ``sum(range(10**12))``)."""
    args = [_value_of(v) for v in site.args]
    if site.name in ("builtins.max", "builtins.min") and len(args) == 1 and isinstance(args[0], Tensor):
        from shapecheck.library.ops.reductions import label_extreme

        known = label_extreme(args[0], site.name, None, False)  # max(y) of class labels
        if known is None and args[0].shape is not None and len(args[0].shape) == 1 and args[0].dtype:
            return Tensor((), args[0].dtype, numpy=args[0].numpy)  # one of its items, of unknown value
        return UNKNOWN if known is None else known
    if site.kwargs or not all(isinstance(v, _PLAIN) and plain(v) for v in args):
        return UNKNOWN
    if any(isinstance(v, range) and range_length(v) > MAX_ITEMS for v in args):
        return UNKNOWN
    try:
        return _PURE_BUILTINS[site.name.removeprefix("builtins.")](*args)
    except Exception:
        return UNKNOWN


def _value_of(value):
    """A 0-d tensor whose integer value is known (``np.array([5, 800])[0]``) as that value."""
    if isinstance(value, Tensor) and value.shape == () and value.contents is not None \
            and isinstance(value.contents[0], int):
        return value.contents[0]
    return value


_CONSTANTS = {"math.pi": math.pi, "math.e": math.e, "math.inf": math.inf, "numpy.pi": math.pi,
              "numpy.newaxis": None, "tensorflow.newaxis": None, "numpy.inf": math.inf}
for _name, _constant in _CONSTANTS.items():
    value(_name)(lambda ev, constant=_constant: constant)


@function("builtins.hasattr")
def _hasattr(site):
    """``hasattr(value, name)`` of a plain Python value (``hasattr(dim, "value")`` of an int or
    None in TF1-compatible code); of anything else, unknown."""
    if len(site.args) != 2 or not isinstance(site.args[1], str):
        return UNKNOWN
    value = site.args[0]
    if value is None or type(value) in (*_PLAIN, dict):
        return hasattr(value, site.args[1])
    return UNKNOWN


@function("builtins.getattr")
def _getattr(site):
    """``getattr(obj, "name")`` is ``obj.name`` (``getattr(self, f"conv{i}")``); with a
    default, the attribute when it is known, else unknown (it may be missing)."""
    if len(site.args) not in (2, 3) or not isinstance(site.args[1], str):
        return UNKNOWN
    owner, name = site.args[:2]
    if len(site.args) == 3 and (owner is None or type(owner) in (*_PLAIN, dict)) and not hasattr(owner, name):
        return site.args[2]
    return site.ev.getattr(owner, name)


@function("builtins.setattr")
def _setattr(site):
    """``setattr(obj, "name", value)`` is ``obj.name = value`` (layers made in a loop)."""
    if len(site.args) == 3 and isinstance(site.args[1], str):
        site.ev.set_attribute(*site.args)
    return None


@function("builtins.isinstance")
def _isinstance(site):
    if len(site.args) != 2:
        return UNKNOWN
    value, kinds = site.args
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    if kinds and all(isinstance(k, ApiRef) and k.name.startswith("keras.") for k in kinds):
        answers = [keras_isinstance(value, k.name) for k in kinds]
        return True if True in answers else UNKNOWN if UNKNOWN in answers else False
    names = [k.name.removeprefix("builtins.") if isinstance(k, ApiRef) else None for k in kinds]
    if None in names or not all(name in _TYPES for name in names):
        return UNKNOWN
    if isinstance(value, Tensor):  # an array or tensor: of no builtin type, except that a
        # NumPy float64 scalar is a float
        return UNKNOWN if value.shape is None or value.shape == () and "float" in names else False
    if not isinstance(value, (*_PLAIN, dict, type(None))):
        return UNKNOWN if value is UNKNOWN else False
    return isinstance(value, tuple(_TYPES[name] for name in names))


@function("builtins.type")
def _type(site):
    """``type(v)`` of a plain Python value, as the builtin name ``type(v) == float`` compares."""
    if len(site.args) != 1 or site.kwargs:
        return UNKNOWN
    value = site.args[0]
    if value is None or not isinstance(value, (*_PLAIN, dict)) or not plain(value):
        return UNKNOWN
    return ApiRef("builtins." + type(value).__name__)


@function("builtins.map")
def _map(site):
    if len(site.args) < 2:
        return UNKNOWN
    lists = [site.ev.iterate(a) for a in site.args[1:]]
    if any(items is None for items in lists):
        return UNKNOWN
    return [site.ev.call(site.args[0], list(group), {}, site.node) for group in zip(*lists)]


@function("builtins.filter")
def _filter(site):
    items = site.ev.iterate(site.args[1]) if len(site.args) == 2 else None
    if items is None:
        return UNKNOWN
    kept = []
    for item in items:
        keep = truth(item if site.args[0] is None else site.ev.call(site.args[0], [item], {}, site.node))
        if keep is UNKNOWN:
            return UNKNOWN
        if keep:
            kept.append(item)
    return kept


@function("functools.partial")
def _partial(site):
    if not site.args or site.args[0] is UNKNOWN:
        return UNKNOWN
    return Partial(site.args[0], list(site.args[1:]), dict(site.kwargs))


@function("functools.reduce")
def _reduce(site):
    items = site.ev.iterate(site.args[1]) if len(site.args) >= 2 else None
    if items is None:
        return UNKNOWN
    if len(site.args) > 2:
        items = [site.args[2], *items]
    if not items:
        return UNKNOWN
    result = items[0]
    for item in items[1:]:
        result = site.ev.call(site.args[0], [result, item], {}, site.node)
    return result


@function("copy.copy", "copy.deepcopy")
def _copy_value(site):
    """A copy of a plain value (a config dict or list); objects are not copied."""
    value = site.args[0] if site.args else UNKNOWN
    if isinstance(value, (*_PLAIN, dict, type(None))) and _constant(value):
        return copy.deepcopy(value)
    return UNKNOWN


def _constant(value) -> bool:
    if isinstance(value, dict):
        return all(_constant(v) for v in value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(_constant(v) for v in value)
    return isinstance(value, (*_PLAIN, type(None)))


# ------------------------------------------------------------------- list methods
@method("list", "append")
def _append(site):
    if len(site.args) != 1:
        return UNKNOWN
    site.obj.append(site.args[0])
    return None


def _lost(site):
    """A write into a list or set this cannot follow: its contents become unknown."""
    site.ev.lost.append(site.obj)
    return UNKNOWN


@method("list", "extend")
def _extend(site):
    if not (site.args and isinstance(site.args[0], (list, tuple))):
        return _lost(site)
    site.obj.extend(site.args[0])
    return None


@method("list", "insert")
def _insert(site):
    if not (len(site.args) == 2 and isinstance(site.args[0], int)):
        return _lost(site)
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
        return _lost(site)
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
    """The first item equal to the value (objects such as layers: that object); an unknown
    value or item may be the one removed."""
    value = site.args[0] if len(site.args) == 1 else UNKNOWN
    if any(v is UNKNOWN or isinstance(v, Tensor) for v in (value, *site.obj)) or value not in site.obj:
        return _lost(site)
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


# ----------------------------------------------------- lists of unknown length (Items)
def alike_items(a, b) -> bool:
    """Two items a list of unknown length may hold both of: arrays of one shape and dtype,
    or lists and tuples of such items."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(alike_items(x, y) for x, y in zip(a, b))
    return _alike(a, b)


@method("items", "append", "extend", "insert")
def _items_write(site):
    """More items of the same kind keep the list what it was (of unknown length still);
    other ones leave its contents unknown."""
    obj, value = site.obj, site.args[-1] if site.args else UNKNOWN
    if site.name == "extend":
        added = [value.item] if isinstance(value, Items) else value
    else:
        added = [value]
    if isinstance(added, (list, tuple)) and all(alike_items(obj.item, v) for v in added):
        return None
    return _lost(site)


method("items", "pop")(lambda site: any_item(site.obj))
method("items", "copy")(lambda site: Items(site.obj.item))


# -------------------------------------------------------------------- set methods
@method("set", "add", "update", "discard", "remove", "clear", "difference_update",
        "intersection_update", "symmetric_difference_update")
def _set_write(site):
    """A write into a set: done where the values are plain (an added unknown value is kept,
    so a test of membership is unknown), else the set's contents become unknown."""
    adds = site.name in ("add", "update", "clear")
    if site.kwargs or not (adds or plain(site.args) and plain(site.obj)):
        return _lost(site)
    try:
        getattr(site.obj, site.name)(*site.args)
    except Exception:  # an unhashable or iterable value not known: the contents are not
        return _lost(site)
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


@method("dict", "update")
def _update(site):
    if len(site.args) > 1 or (site.args and not isinstance(site.args[0], dict)):
        return UNKNOWN
    site.obj.update(*site.args, **site.kwargs)
    return None


@method("dict", "pop", "setdefault")
def _pop_key(site):
    if not site.args or not isinstance(site.args[0], (int, str, float, bool, tuple)):
        return UNKNOWN
    if site.name == "pop" and site.args[0] not in site.obj and len(site.args) < 2:
        return UNKNOWN  # Python raises KeyError
    return getattr(site.obj, site.name)(*site.args)


@method("dict", "copy")
def _dict_copy(site):
    return dict(site.obj)


@method("str", "format", "join", "upper", "lower", "replace", "split", "strip", "startswith",
        "endswith", "title", "capitalize", "zfill", "count", "rstrip", "lstrip")
def _str_method(site):
    """A string method computed on plain values."""
    values = [*site.args, *site.kwargs.values()]
    if not all(plain(v) for v in values):
        return UNKNOWN
    try:
        return getattr(site.obj, site.name)(*site.args, **site.kwargs)
    except Exception:
        return UNKNOWN


def any_item(items):
    """An item of ``items`` at an index not known: a row of a tensor, the tensor every item
    of a list is alike (same shape and dtype), an integer of a range or of a list of them."""
    if isinstance(items, Tensor):
        return Tensor(tuple(items.shape[1:]), items.dtype, numpy=items.numpy) if items.shape else UNKNOWN
    if isinstance(items, Items):
        item = items.item
        return Tensor(item.shape, item.dtype, numpy=item.numpy) if isinstance(item, Tensor) else item
    if isinstance(items, range) and range_length(items) > 0 or isinstance(items, (list, tuple)) and items \
            and all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        return Tensor((), "int64", python=True)
    if isinstance(items, (list, tuple)) and items and all(_alike(v, items[0]) for v in items):
        return Tensor(items[0].shape, items[0].dtype, numpy=items[0].numpy)
    return UNKNOWN


def _alike(a, b) -> bool:
    """Two tensors of one dtype and shape (a size unknown in both counts as alike: either
    stands for a tensor of unknown size there)."""
    return isinstance(a, Tensor) and isinstance(b, Tensor) and a.dtype == b.dtype and \
        a.shape is not None and b.shape is not None and len(a.shape) == len(b.shape) and \
        all(x is y or x == y for x, y in zip(a.shape, b.shape))


@function("random.choice")
def _random_choice(site):
    """``random.choice(seq)``: one of its items."""
    return any_item(site.arg(0, "seq"))

