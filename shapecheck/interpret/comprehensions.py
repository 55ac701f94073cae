"""Comprehensions: list, set, dict and generator expressions, unrolled over known items,
summarised over a long known run of them, or, over an unknown number of items, a list of
unknown length of the element (``Items``)."""

from __future__ import annotations

from shapecheck.interpret.journal import standing
from shapecheck.values import UNKNOWN, Items, Tensor, truth

SUMMARISED_ITEMS = 100_000  # the longest comprehension summarised by its first and last items


class Comprehensions:
    """The comprehension expressions of the evaluator."""

    def eval_ListComp(self, node, frame):
        return self._comprehension(node, frame)

    eval_GeneratorExp = eval_ListComp  # consumed at once by what takes it (sum, all, tuple)

    def eval_SetComp(self, node, frame):
        items = self._comprehension(node, frame)
        try:
            return UNKNOWN if items is UNKNOWN else set(items)
        except TypeError:
            return UNKNOWN

    def eval_DictComp(self, node, frame):
        pairs = self._comprehension(node, frame, lambda scope: (self.eval(node.key, scope),
                                                               self.eval(node.value, scope)))
        if pairs is UNKNOWN or not all(isinstance(k, (int, str, float, bool, tuple)) for k, _ in pairs):
            return UNKNOWN
        return dict(pairs)

    def _comprehension(self, node, frame, element=None):
        results, many = [], []  # (many: the list of unknown length it makes, if it does)
        scope = dict(frame)

        def run(clause):
            if clause is None:
                results.append(element(scope) if element else self.eval(node.elt, scope))
                return True
            iterable = self.eval(clause.iter, scope)
            items = self.iterate(iterable)
            if items is None and self.passes(iterable) is None and element is None \
                    and clause is node.for_in and clause.inner_for_in is None:
                many.append(self._each(node, clause, self.first(iterable), scope))
                return True
            if items is None:
                summary = None if element or clause is not node.for_in else \
                    self._summarised(node, clause, iterable, scope)
                results.extend(summary or ())
                return summary is not None
            for item in items:
                self.assign(clause.target, item, scope)
                tests = [truth(self.eval(cond.test, scope)) for cond in clause.ifs]
                if any(test is UNKNOWN for test in tests):
                    return False
                if all(tests) and not run(clause.inner_for_in):
                    return False
            return True

        return UNKNOWN if not run(node.for_in) else many[0] if many else results

    def _each(self, node, clause, item, scope):
        """A comprehension over an unknown number of items: its element on one ``item``
        (UNKNOWN where not known) stands for each, when it is an array or a number: a list
        of unknown length."""
        inner = dict(scope)
        self.assign(clause.target, item, inner)
        self._quiet += 1
        try:
            value = self.eval(node.elt, inner)
        finally:
            self._quiet -= 1
        if isinstance(value, bool) or not isinstance(value, (Tensor, int, float)):
            return UNKNOWN
        return Items(standing(value))

    def _summarised(self, node, clause, iterable, scope):
        """A comprehension too long to unroll (one ``for``, no ``if``, over a known number of
        items) as that many copies of its element, when its first and last items give arrays
        of one shape (or numbers): which values they hold stays unknown. Else None."""
        count = self.passes(iterable)
        if clause.ifs or clause.inner_for_in is not None or count is None or count > SUMMARISED_ITEMS:
            return None
        ends = [self.first(iterable)]
        if isinstance(iterable, (range, list, tuple, str)) and count:
            ends.append(iterable[-1])
        samples = []
        for item in ends:
            inner = dict(scope)
            self.assign(clause.target, item, inner)
            samples.append(_as_array_item(self.eval(node.elt, inner)))
        if any(s is None for s in samples) or len({(s.shape, s.dtype) for s in samples}) != 1:
            return None
        return [samples[0]] * count


def _as_array_item(value) -> Tensor | None:
    """An item of a summarised comprehension as an array element: a tensor of known shape,
    a number as a scalar of its type (its value not kept), else None."""
    if isinstance(value, Tensor) and value.shape is not None and UNKNOWN not in value.shape:
        return Tensor(tuple(value.shape), value.dtype, numpy=value.numpy)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Tensor((), "int64" if isinstance(value, int) else "float64", numpy=True)
    return None
