"""Statements: blocks, ``if`` / ``for`` / ``while`` / ``with`` / ``try``, function and
class definitions (assignment is in ``assignments``)."""

from __future__ import annotations

from collections import ChainMap
from functools import partial
from typing import Any

import libcst as cst

from shapecheck import library
from shapecheck.interpret.control import (
    DEBUG,
    LOOP_STEPS,
    MAX_STEPS,
    MAX_UNROLL,
    Break,
    Continue,
    MaybeJumped,
    Raised,
    Return,
    Yielded,
)
from shapecheck.interpret.expressions import same
from shapecheck.interpret.filled_lists import filling
from shapecheck.objects import UserClass
from shapecheck.values import MAX_ITEMS, UNKNOWN, ApiRef, Items, Tensor, truth
from shapecheck.walk import walk


class Statements:
    """The ``exec_*`` methods of the evaluator, one per statement type."""

    def exec_block(self, statements, frame: dict) -> None:
        for at, statement in enumerate(statements):
            try:
                self.exec_statement(statement, frame)
            except MaybeJumped as jump:  # what follows in the pass runs, or not
                try:
                    self._both_branches(statements[at + 1:], [], frame)
                except MaybeJumped as later:
                    raise MaybeJumped(jump.broke or later.broke) from None
                raise
            except (Return, Break, Continue, Raised, Yielded):
                raise
            except RecursionError:
                raise
            except Exception as exc:
                if DEBUG:
                    raise
                # An evaluator gap must never stop the analysis: forget what
                # the statement assigned and go on.
                self.gap(f"an error of shapecheck's own ({type(exc).__name__})", statement)
                self._havoc([statement], frame)

    def guarded(self, node, function, *args) -> None:
        """``function(*args)``, where an error of the evaluator's own only leaves things unknown."""
        try:
            function(*args)
        except (RecursionError, Raised, Yielded):
            raise
        except Exception as exc:
            if DEBUG:
                raise
            self.gap(f"an error of shapecheck's own ({type(exc).__name__})", node)

    def exec_statement(self, node, frame: dict) -> None:
        self._steps += 1
        if self.failing_imports and id(node) in self.failing_imports:
            self.halting = True  # ImportError: TensorFlow stops the program here
        method = getattr(self, f"exec_{type(node).__name__}", None)
        if method is not None:
            method(node, frame)
        self.halted = self.halted or self.halting  # (the calls of the raising statement count)
        while self.lost:  # ``items.extend(unknown)``: what holds the list holds an unknown value
            self._forget(self.lost.pop(), frame)

    def exec_SimpleStatementLine(self, node, frame):
        self.exec_block(node.body, frame)

    exec_SimpleStatementSuite = exec_SimpleStatementLine

    def exec_Expr(self, node, frame):
        self.eval(node.value, frame)

    def exec_Return(self, node, frame):
        raise Return(None if node.value is None else self.eval(node.value, frame))

    def exec_Break(self, node, frame):
        raise Break()

    def exec_Continue(self, node, frame):
        raise Continue()

    def exec_FunctionDef(self, node, frame):
        frame[node.name.value] = self._function(node, frame)

    def exec_ClassDef(self, node, frame):
        bases = [self.eval(arg.value, frame) for arg in node.bases if not arg.keyword]
        methods, body = {}, ChainMap({}, frame)  # the class body's own names come first
        for statement in node.body.body:
            if isinstance(statement, cst.FunctionDef):
                methods[statement.name.value] = self._function(statement, frame)
            elif not isinstance(statement, cst.ClassDef):
                self.exec_statement(statement, body)  # class attributes
        cls = UserClass(node, node.name.value, bases, methods, _class_kind(bases),
                        own_weights=_makes_weights(node), attrs=dict(body.maps[0]),
                        keras_base=_keras_base(bases))
        for method in methods.values():
            method.owner = cls
        self.classes.append(cls)
        frame[node.name.value] = cls

    def exec_If(self, node, frame):
        test = truth(self.eval(node.test, frame))
        orelse = node.orelse
        other = [] if orelse is None else (
            [orelse] if isinstance(orelse, cst.If) else orelse.body.body)
        if test is UNKNOWN:
            self._both_branches(node.body.body, other, frame)
        elif test:
            self.exec_block(node.body.body, frame)
        else:
            self.exec_block(other, frame)

    def exec_For(self, node, frame):
        iterable = self.eval(node.iter, frame)
        items = self.iterate(iterable) if self._steps <= MAX_STEPS else None
        if items is not None:  # every pass, item by item
            if not self._passes(node, items, frame) and node.orelse is not None:
                self.exec_block(node.orelse.body.body, frame)
            return
        # One pass stands for any number of them: on the first item where it is known
        # (a data set's first batch, which really occurs), else quietly on an unknown one.
        item = self.first(iterable) if self._steps <= MAX_STEPS else UNKNOWN
        known = item is not UNKNOWN
        maybe_none = isinstance(iterable, Items)  # (a list of unknown length may be empty)
        repeated: list = []  # the lists it appended to, as long as every pass makes them
        broke = self._uncertain_pass(node, frame, lambda: self._passes(node, [item], frame, standing=True),
                                     at_least_once=known and not maybe_none, quiet=not known,
                                     repeats=(self.passes(iterable), repeated) if known else None)
        if known and not broke:  # values computed in the pass may differ in later ones
            self._havoc([node], frame, keep=(Tensor,), kept=repeated)
        elif not known:
            self._havoc([node], frame)
        if not broke and node.orelse is not None:
            self.exec_block(node.orelse.body.body, frame)

    def _passes(self, node, items, frame, standing=False) -> bool:
        """Run a ``for`` body once per item; True if a ``break`` ended it (or may have: the
        passes left then run as any number of them, as they do once the loop has spent
        ``LOOP_STEPS``). ``standing``: the one item stands for any number of passes."""
        start = self._steps
        for at, item in enumerate(items):
            if at and self._steps - start > LOOP_STEPS:
                self._maybe_more(node, frame, partial(self._passes, node, items[at:at + 1], frame))
                return False
            self.assign(node.target, item, frame)
            try:
                self.exec_block(node.body.body, frame)
            except Continue:
                continue
            except Break:
                return True
            except MaybeJumped as jump:
                if jump.broke:
                    rest = items[at:at + 1] if standing else items[at + 1:]
                    self._maybe_more(node, frame, partial(self._passes, node, rest, frame))
                    return True
        return False

    def _maybe_more(self, node, frame, run) -> None:
        """After a pass that may have ended the loop: the others, as any number of passes."""
        self._uncertain_pass(node, frame, run, quiet=True)
        self._havoc([node], frame, keep=(Tensor,))

    def exec_While(self, node, frame):
        start = self._steps
        if id(node) not in self._fillings:
            self._fillings[id(node)] = filling(node)
        fill = self._fillings[id(node)]
        before = {} if fill is None else {  # each list filled, and its items then
            name: (frame[name], list(frame[name])) for name in fill.names
            if isinstance(frame.get(name), list)}
        for _ in range(MAX_UNROLL):
            if self._steps > MAX_STEPS or self._steps - start > LOOP_STEPS:  # stop unrolling
                break
            test = truth(self.eval(node.test, frame))
            if test is UNKNOWN:
                break
            if not test:
                return
            try:
                self.exec_block(node.body.body, frame)
            except Continue:
                continue
            except Break:
                return
            except MaybeJumped as jump:
                if jump.broke:
                    break
        # Any number of further passes: one quiet pass stands for them.
        self._uncertain_pass(node, frame, lambda: self._while_pass(node, frame), quiet=True)
        self._havoc(node.body.body, frame)
        if fill is not None and len(before) == len(fill.names):
            self._filled(fill, before, frame)

    def _filled(self, fill, before: dict, frame) -> None:
        """After a loop that fills lists to a bound (``filled_lists``): each as long as it
        was then, plus one unknown item a pass (the lists it appended to left of unknown
        length are of this one)."""
        bound, (_, start) = self.eval(fill.bound, frame), before[fill.names[0]]
        if not isinstance(bound, int) or isinstance(bound, bool) or not len(start) <= bound <= MAX_ITEMS:
            return
        for name, (items, was) in before.items():
            items[:] = [*was, *[UNKNOWN] * (bound - len(start))]
            frame[name] = items

    def _while_pass(self, node, frame) -> bool:
        try:
            self.exec_block(node.body.body, frame)
        except (Continue, Break, MaybeJumped):
            pass
        return False

    def _uncertain_pass(self, node, frame, run, at_least_once=False, quiet=False, repeats=None) -> bool:
        """``run()`` a loop's pass that stands for any number of them, then settle what it
        wrote; returns whether it ended in a ``break`` (then it was the only pass).
        ``repeats``: (the number of passes, if known; a list to put the lists in that the
        pass only appended to, now as long as that many passes make them)."""
        if self._steps > MAX_STEPS:  # the budget is spent: what the pass writes is unknown
            self._havoc([node], frame)
            return False
        journal = self.open_journal()
        forgotten = len(self.forgotten)
        self._quiet += quiet
        before = {name: frame[name] for name in self._loop_tested(node) if name in frame}
        try:
            broke = run()
            if not broke and self._widening < _MAX_WIDENING and self._carried(node, before, frame):
                self._widening += 1  # a later pass, on what the first one left: quietly
                self._quiet += 1
                try:
                    run()
                finally:
                    self._widening -= 1
                    self._quiet -= 1
        finally:
            self._quiet -= quiet
            self.close_journal(journal)
        if not (broke and at_least_once):  # it ran zero (or one), or any number of times
            if repeats is not None and repeats[0] is not None and not broke:
                repeats[1].extend(self.repeat_appends(journal, repeats[0], self.forgotten[forgotten:]))
            self.settle(journal, {}, journal.states(), frame, keep_built=at_least_once)
        return broke

    def exec_With(self, node, frame):
        expects_error = False  # with self.assertRaises(...) / pytest.raises(...): it is caught
        distributing = 0  # with strategy.scope(): the models made in it are the strategy's
        for item in node.items:
            value = self.eval(item.item, frame)
            distributing += library.distributes(value)
            call = item.item
            expects_error = expects_error or (
                isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
                and call.func.attr.value in ("assertRaises", "assertRaisesRegex", "raises"))
            if item.asname is not None:
                self.assign(item.asname.name, library.entered(value), frame)
        self._quiet += expects_error
        self.distributing += distributing
        try:
            self.exec_block(node.body.body, frame)
        finally:
            self._quiet -= expects_error
            self.distributing -= distributing

    def exec_Try(self, node, frame):
        # What TensorFlow raises in a body whose handler catches it does not stop the program.
        caught = any(_catches_tensorflow_errors(handler) for handler in node.handlers)
        handler = next((h for h in node.handlers if _catches(h, "AttributeError")), None)
        self._quiet += caught
        self.catching += handler is not None
        try:
            self.exec_block(node.body.body, frame)
        except Raised:
            if handler is None:
                raise
            if handler.name is not None:
                self.assign(handler.name.name, UNKNOWN, frame)
            self.exec_block(handler.body.body, frame)
            return  # no else: clause after an exception
        finally:
            self._quiet -= caught
            self.catching -= handler is not None
        if node.orelse is not None:
            self.exec_block(node.orelse.body.body, frame)
        if node.finalbody is not None:
            self.exec_block(node.finalbody.body.body, frame)

    def _both_branches(self, body, other, frame):
        """An ``if`` on an unknown test: run both sides, keep what they agree on."""
        self._quiet += 1
        journal = self.open_journal()
        try:
            first, second = dict(frame), dict(frame)
            returned, jumped = self._arm(body, first)
            after_first = journal.states()
            journal.rewind()
            other_returned, other_jumped = self._arm(other, second)
            after_second = journal.states()
        finally:
            self._quiet -= 1
            self.close_journal(journal)
        for name in set(first) | set(second):
            a, b = first.get(name, UNKNOWN), second.get(name, UNKNOWN)
            frame[name] = a if same(a, b) else UNKNOWN
        self.settle(journal, after_first, after_second, frame)  # (which may forget names)
        if returned is not None and other_returned is not None:  # both arms return
            raise Return(returned.value if same(returned.value, other_returned.value) else UNKNOWN)
        if jumped is not None and jumped is other_jumped and jumped is not MaybeJumped:
            raise jumped()  # both arms continue (or break)
        if jumped or other_jumped:
            raise MaybeJumped(broke=bool({jumped, other_jumped} & {Break, MaybeJumped}))

    def _arm(self, body, scope):
        """Run one arm: the ``Return`` it ended with, if any, and the kind of loop jump
        (``Break``, ``Continue``, ``MaybeJumped`` for one that may break) it made, if any."""
        try:
            self.exec_block(body, scope)
        except (Break, Continue) as jump:
            return None, type(jump)
        except MaybeJumped as jump:
            return None, MaybeJumped if jump.broke else Continue
        except Return as result:
            return result, None
        return None, None

    def _carried(self, loop, before: dict, frame: dict) -> bool:
        """Whether a loop's pass changed a plain value (``first_line = False``, a counter)
        that a test in its body reads: later passes take other branches, and run on it
        made unknown (which this sets)."""
        carried = [name for name in self._loop_tested(loop) if isinstance(frame.get(name), _SCALARS)
                   and not (name in before and same(before[name], frame[name]))]
        for name in carried:
            frame[name] = UNKNOWN
        return bool(carried)

    def _loop_tested(self, loop) -> set:
        """The names a loop binds that the tests in it read (known once per loop)."""
        if id(loop) not in self._tested:
            self._tested[id(loop)] = _tested_names(loop) & set(self._names_bound(loop))
        return self._tested[id(loop)]

    def _names_bound(self, statement) -> list:
        names = self._assigned.get(id(statement))
        if names is None:
            names = self._assigned[id(statement)] = _assigned_names(statement)
        return names

    def _havoc(self, statements, frame, keep=(), kept=()):
        """Forget every name the statements may assign (but those holding a ``keep`` type or
        one of the objects ``kept``)."""
        for statement in statements:
            for target in self._names_bound(statement):
                value = frame.get(target)
                if not isinstance(value, keep) and not any(value is obj for obj in kept):
                    frame[target] = UNKNOWN


_SCALARS = (bool, int, float, str, type(None))
_MAX_WIDENING = 2  # loops nested deeper than this run their later passes no more

# Exceptions that TensorFlow and Keras raise for a shape or argument problem, and their bases.
_TENSORFLOW_ERRORS = frozenset({"Exception", "BaseException", "ValueError", "TypeError",
                                "AttributeError", "RuntimeError", "AssertionError",
                                "InvalidArgumentError", "OpError", "NotImplementedError"})


def _catches(handler: cst.ExceptHandler, kind: str) -> bool:
    """Whether an ``except`` clause catches Python's ``kind`` (bare, its name, Exception)."""
    return handler.type is None or bool({kind, "Exception", "BaseException"} & _names(handler))


def _names(handler: cst.ExceptHandler) -> set:
    kinds = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
    values = [kind.value if isinstance(kind, cst.Element) else kind for kind in kinds]
    return {v.attr.value if isinstance(v, cst.Attribute) else getattr(v, "value", None) for v in values}


def _catches_tensorflow_errors(handler: cst.ExceptHandler) -> bool:
    """Whether an ``except`` clause catches what TensorFlow raises for a shape problem."""
    return handler.type is None or bool(_names(handler) & _TENSORFLOW_ERRORS)


def _class_kind(bases) -> Any:
    for base in bases:
        if isinstance(base, UserClass) and base.kind is not None:
            return base.kind
        if isinstance(base, ApiRef):
            if base.name in ("keras.Model", "keras.Sequential"):
                return "model"
            if base.name.startswith("keras.layers.") and base.name.rsplit(".", 1)[-1][:1].isupper():
                return "layer"  # Layer itself, or a Keras layer the class extends
    return None


def _keras_base(bases) -> str | None:
    """The Keras layer class (``keras.layers.Conv2D``) the class extends, if any."""
    for base in bases:
        if isinstance(base, UserClass) and base.keras_base is not None:
            return base.keras_base
        if isinstance(base, ApiRef) and base.name.startswith("keras.layers.") \
                and base.name != "keras.layers.Layer":
            return base.name
    return None


def _makes_weights(node: cst.ClassDef) -> bool:
    """True when a class body makes weights shapecheck does not count: a ``keras.Variable``
    (Keras tracks it; a ``tf.Variable`` it does not count) other than one assigned straight
    to an attribute of ``self`` (counted as it is made)."""
    found, counted = [], set()

    def visit(inner) -> None:
        if isinstance(inner, cst.Assign):
            value = inner.value
            if isinstance(value, cst.Call) and all(
                    isinstance(t.target, cst.Attribute) and isinstance(t.target.value, cst.Name)
                    and t.target.value.value == "self" for t in inner.targets):
                counted.add(id(value.func))
        elif isinstance(inner, cst.Attribute):
            base = inner.value
            if inner.attr.value == "Variable" and id(inner) not in counted and not (
                    isinstance(base, cst.Name) and base.value in ("tf", "tensorflow")):
                found.append(inner)

    walk(node.body, visit)
    return bool(found)


def _assigned_names(statement):
    """Names a statement (and its nested blocks) may bind."""
    names = []

    def visit(node) -> None:
        if isinstance(node, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.For)):
            names.extend(_target_names(node.target))

    walk(statement, visit)
    return names


def _tested_names(statement) -> set:
    """Names the tests of a statement's ``if``, ``while`` and conditional expressions read."""
    names = set()

    def visit_name(node) -> None:
        if isinstance(node, cst.Name):
            names.add(node.value)

    def visit(node) -> None:
        if isinstance(node, (cst.If, cst.While, cst.IfExp)):
            walk(node.test, visit_name)

    walk(statement, visit)
    return names


def _target_names(target):
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for element in target.elements for n in _target_names(element.value)]
    return []
