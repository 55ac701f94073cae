"""Writes that may not have happened: the journal of an uncertain region.

An ``if`` whose test is unknown runs both arms, and a loop whose number of passes is not
known runs its body once; neither run is certain. Every object that existed before such
a region and is written inside it (a list appended to, a ``Sequential`` added to, an
attribute set, a layer built) is saved at its first write; afterwards each one is
*settled*: kept where every possible run agrees, otherwise made unknown (an attribute or
item becomes ``UNKNOWN``, a list or a ``Sequential`` of unknown contents becomes
uncertain), so what a run may not have done never yields a finding.
"""

from __future__ import annotations

from shapecheck.interpret.expressions import same
from shapecheck.library.pandas import Frame
from shapecheck.library.python import alike_items
from shapecheck.objects import BuiltinLayer, Instance, Sequential
from shapecheck.values import MAX_ITEMS, UNKNOWN, Items, Tensor

_UNCERTAIN = object()  # a merged state that no known value describes
_HOLDERS_LOOKED_AT = 256  # a list this long is searched for a list of unknown length it holds


def _state(obj):
    if isinstance(obj, list):
        return tuple(obj)
    if isinstance(obj, dict):
        return dict(obj)
    if isinstance(obj, set):
        return frozenset(obj)
    if isinstance(obj, Instance):
        return dict(obj.attrs), obj.built, tuple(obj.weights)
    if isinstance(obj, Sequential):
        return tuple(obj.layers), obj.input_shape, obj.broken, obj.uncertain
    if isinstance(obj, BuiltinLayer):
        return obj.built, obj.build_shape
    if isinstance(obj, Frame):
        return obj.rows, obj.columns
    return None


def _restore(obj, state) -> None:
    if isinstance(obj, list):
        obj[:] = state
    elif isinstance(obj, (dict, set)):
        obj.clear()
        obj.update(state)
    elif isinstance(obj, Instance):
        obj.attrs.clear()
        obj.attrs.update(state[0])
        obj.built, obj.weights[:] = state[1], state[2]
    elif isinstance(obj, Sequential):
        obj.layers[:], obj.input_shape, obj.broken, obj.uncertain = state
    elif isinstance(obj, BuiltinLayer):
        obj.built, obj.build_shape = state
    elif isinstance(obj, Frame):
        obj.rows, obj.columns = state


def _merge_items(a: dict, b: dict) -> dict:
    return {key: a[key] if key in a and key in b and same(a[key], b[key]) else UNKNOWN
            for key in {**a, **b}}


def _merge(obj, base, a, b, keep_built=False):
    """The state of ``obj`` after a run that ended in ``a`` or ``b`` (from ``base``);
    ``keep_built``: what ``b`` built stays built (the run surely happened)."""
    if _identical(a, b) or (keep_built and isinstance(obj, BuiltinLayer)):
        return b
    if isinstance(obj, list):
        if len(a) != len(b):
            return _UNCERTAIN
        return tuple(x if same(x, y) else UNKNOWN for x, y in zip(a, b))
    if isinstance(obj, dict):
        return _merge_items(a, b)
    if isinstance(obj, set):  # (a set that may hold more: one of unknown contents)
        return _UNCERTAIN
    if isinstance(obj, Instance):
        weights = a[2] if _identical(a[2], b[2]) else (*base[2], Tensor(None))  # unknown count
        return _merge_items(a[0], b[0]), b[1] if keep_built else a[1] and b[1], weights
    if isinstance(obj, Sequential):
        return (*base[:3], True)
    if isinstance(obj, Frame):  # a column added in one run only: the width is not known
        return tuple(x if _identical(x, y) else UNKNOWN for x, y in zip(a, b))
    return base  # a layer built in one run only: as if unbuilt (it builds where next applied)


def _alike_list(obj, a, b):
    """A list that ended the runs of different lengths (a loop of unknown count appended
    to it): a list of unknown length if every item it held in either is alike, else UNKNOWN."""
    if not isinstance(obj, list):
        return UNKNOWN
    items = [standing(item) for item in (*a, *b)]
    if not items or any(i is _UNCERTAIN or i is UNKNOWN for i in items) or not all(
            alike_items(items[0], i) for i in items):
        return UNKNOWN
    return Items(items[0])


def standing(item):
    """An item one pass appended, as it stands for the items every pass appends: a tensor
    (of the same shape each pass), a number of unknown value, data made of those; anything
    else (a layer, an object) is ``_UNCERTAIN``: each pass makes its own."""
    if isinstance(item, Tensor) or item is None:
        return item
    if isinstance(item, bool):
        return Tensor((), "bool", python=True)
    if isinstance(item, (int, float)):
        return Tensor((), "int64" if isinstance(item, int) else "float64", python=True)
    if isinstance(item, (list, tuple)):
        items = [standing(i) for i in item]
        return _UNCERTAIN if any(i is _UNCERTAIN for i in items) else type(item)(items)
    return UNKNOWN if isinstance(item, str) or item is UNKNOWN else _UNCERTAIN


def _identical(a, b) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_identical(a[k], b[k]) for k in a)
    return a is b or same(a, b)


class Journal:
    """The objects written in one uncertain region, each with its state before."""

    def __init__(self):
        self.saved: dict[int, tuple] = {}  # id -> (object, state before the region)
        self.created: set[int] = set()  # ids of the layers and models made in the region

    def states(self) -> dict[int, object]:
        return {key: _state(obj) for key, (obj, _) in self.saved.items()}

    def rewind(self) -> None:
        for obj, state in self.saved.values():
            _restore(obj, state)


class Regions:
    """The evaluator's uncertain regions: ``touch`` before a write, ``settle`` after."""

    def touch(self, obj) -> None:
        """Save ``obj`` in every open journal that has not seen it yet."""
        for journal in self.journals:
            if id(obj) not in journal.saved:
                journal.saved[id(obj)] = (obj, _state(obj))

    def open_journal(self) -> Journal:
        journal = Journal()
        self.journals.append(journal)
        return journal

    def close_journal(self, journal: Journal) -> None:
        self.journals.remove(journal)

    def settle(self, journal: Journal, first: dict, second: dict, frame: dict,
               keep_built=False) -> None:
        """Give each written object the state both runs agree on (``first`` and ``second``
        map ids to the states the runs ended in; a missing one is the state before).
        ``keep_built``: the region surely ran, so a layer built in it stays built."""
        for key, (obj, base) in journal.saved.items():
            a, b = first.get(key, base), second.get(key, base)
            if key in journal.created:  # (it exists only where the region ran)
                _restore(obj, b)
                continue
            merged = _merge(obj, base, a, b, keep_built)
            if isinstance(obj, BuiltinLayer) and not _identical(a, b) and not keep_built:
                obj.maybe_built = True  # built in one run only: its weights may exist or not
            if merged is _UNCERTAIN:
                _restore(obj, base)
                self.forgotten.append(obj)
                self._forget(obj, frame, _alike_list(obj, a, b))
            else:
                _restore(obj, merged)

    def repeat_appends(self, journal: Journal, passes: int, uncertain) -> list:
        """The lists that one loop pass standing for ``passes`` of them only appended data
        to, surely (``uncertain``: those it may not have), made as long as that many passes
        make them, each pass's items as this one made them (numbers of unknown value)."""
        repeated = []
        for key, (obj, base) in list(journal.saved.items()):
            if not isinstance(obj, list) or len(obj) <= len(base) or any(obj is u for u in uncertain) \
                    or not _identical(tuple(obj[:len(base)]), base):
                continue
            added = [standing(item) for item in obj[len(base):]]
            if any(item is _UNCERTAIN for item in added) or len(base) + passes * len(added) > MAX_ITEMS:
                continue
            obj[:] = [*base, *(added * passes)]
            del journal.saved[key]
            repeated.append(obj)
        return repeated

    def _forget(self, items: list, frame: dict, instead=UNKNOWN) -> None:
        """A list of unknown length: the names, attributes and items of dicts and lists that
        hold it become UNKNOWN (or ``instead``), in this frame, the module's and those of the
        functions that called this one (a list filled by a function it was given to)."""
        seen: set[int] = set()

        def holders(mapping: dict, depth: int) -> None:
            for key, value in list(mapping.items()):
                if value is items:
                    mapping[key] = instead
                elif depth and id(value) not in seen:
                    seen.add(id(value))
                    inside = value.attrs if isinstance(value, Instance) else value if isinstance(
                        value, dict) else dict(enumerate(value)) if isinstance(value, list) and len(
                        value) <= _HOLDERS_LOOKED_AT else None
                    if inside is None:
                        continue
                    holders(inside, depth - 1)
                    if isinstance(value, list):
                        value[:] = [inside[i] for i in range(len(value))]

        for scope in (frame, self.globals, *self.frames):
            holders(scope, 2)
