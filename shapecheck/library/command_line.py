"""The command line, as the program sees it run as ``python file.py`` with no arguments:
``sys.argv``, ``argparse`` defaults and ``absl`` flags and ``app.run(main)``.

An option with no default (a required one, a positional argument) is unknown, as is
everything a parser with sub-commands returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shapecheck.library.registry import family, function, method, value
from shapecheck.objects import UserFunction
from shapecheck.values import UNKNOWN


class Namespace(dict):
    """``argparse.Namespace`` / ``types.SimpleNamespace`` / absl's ``FLAGS``: attributes
    kept as items (so uncertain regions save and merge it as a dict)."""


@dataclass
class ArgumentParser:
    """An ``argparse.ArgumentParser`` and the defaults its options give."""

    defaults: dict = field(default_factory=dict)
    commands: bool = False  # add_subparsers() was called: what parse_args gives is unknown


@value("sys.argv")
def _argv_value(ev):
    return [ev.path]


@function("argparse.ArgumentParser")
def _parser(site):
    return ArgumentParser()


@function("argparse.Namespace", "types.SimpleNamespace")
def _namespace(site):
    return Namespace(site.kwargs) if not site.args else UNKNOWN


def _dest(names, kwargs) -> str | None:
    if isinstance(kwargs.get("dest"), str):
        return kwargs["dest"]
    if not names or not all(isinstance(n, str) for n in names):
        return None
    longs = [n for n in names if n.startswith("--")]
    name = (longs or names)[0].lstrip("-")
    return name.replace("-", "_")


def _option_default(names, kwargs):
    """The value an option has when the command line does not give it."""
    optional = all(isinstance(n, str) and n.startswith("-") for n in names)
    if not optional and kwargs.get("nargs") not in ("?", "*"):
        return UNKNOWN  # a positional argument the command line must give
    if kwargs.get("required") is True:
        return UNKNOWN
    action = kwargs.get("action")
    if action in ("store_true", "store_false") and "default" not in kwargs:
        return action == "store_false"
    default = kwargs.get("default")
    convert = kwargs.get("type")
    if isinstance(default, str) and convert is not None:  # argparse applies type= to it
        builtin = getattr(convert, "name", "")
        cast = {"builtins.int": int, "builtins.float": float, "builtins.str": str}.get(builtin)
        if cast is None:
            return UNKNOWN
        try:
            return cast(default)
        except ValueError:
            return UNKNOWN
    return default


@method("argparser", "add_argument")
def _add_argument(site):
    dest = _dest(site.args, site.kwargs)
    if dest is not None:
        site.obj.defaults[dest] = _option_default(site.args, site.kwargs)
    return UNKNOWN


@method("argparser", "add_argument_group", "add_mutually_exclusive_group")
def _group(site):
    return site.obj  # options of a group are the parser's


@method("argparser", "add_subparsers")
def _subparsers(site):
    site.obj.commands = True
    return UNKNOWN


@method("argparser", "set_defaults")
def _set_defaults(site):
    site.obj.defaults.update(site.kwargs)
    return None


@method("argparser", "parse_args")
def _parse_args(site):
    given = site.arg(0, "args", None)
    if site.obj.commands or given is not None:
        return UNKNOWN
    return Namespace(site.obj.defaults)


@method("argparser", "parse_known_args")
def _parse_known_args(site):
    parsed = _parse_args(site)
    return UNKNOWN if parsed is UNKNOWN else (parsed, [])


@function("builtins.vars")
def _vars(site):
    given = site.args[0] if site.args else UNKNOWN
    return given if isinstance(given, Namespace) else UNKNOWN


# ----------------------------------------------------------------- absl flags and app.run

def _flags(ev) -> Namespace:
    """The file's flag values (flags defined in another file stay unknown)."""
    if not hasattr(ev, "flag_values"):
        ev.flag_values = Namespace()
    return ev.flag_values


@value("absl.flags.FLAGS")
def _flags_value(ev):
    return _flags(ev)


_PARSE = {"integer": int, "float": float, "string": str,
          "list": lambda text: text.split(",") if text else []}


@family("absl.flags.DEFINE_")
def _define(site):
    kind = site.name.rsplit("DEFINE_", 1)[1]
    name, default = site.arg(0, "name"), site.arg(1, "default")
    if not isinstance(name, str):
        return None
    parse = _PARSE.get(kind)
    if isinstance(default, str) and parse is not None:
        try:
            default = parse(default)
        except ValueError:
            default = UNKNOWN
    elif isinstance(default, str) and kind in ("bool", "boolean"):
        default = {"true": True, "false": False}.get(default.lower(), UNKNOWN)
    _flags(site.ev)[name] = default
    return None


@function("absl.flags.mark_flag_as_required", "absl.flags.mark_flags_as_required")
def _required(site):
    names = site.arg(0, "flag_name")
    for name in names if isinstance(names, list) else [names]:
        if isinstance(name, str):
            _flags(site.ev)[name] = UNKNOWN  # the program stops unless the command line gives it
    return None


@function("absl.app.run", "tensorflow.app.run", "tensorflow.compat.v1.app.run")
def _app_run(site):
    """``app.run(main)`` calls ``main(argv)`` (TensorFlow's ``main=None``: the file's
    ``main``), then exits."""
    main = site.arg(0, "main", None)
    if main is None:
        main = site.ev.globals.get("main")
    argv = site.arg(1, "argv", None)
    if isinstance(main, UserFunction):
        site.ev.call_function(main, [argv if isinstance(argv, list) else [site.ev.path]], {})
    return UNKNOWN
