"""Configuration: ``[tool.shapecheck]`` in the nearest ``pyproject.toml`` and the command
line's rule selection, applied to the findings of each file.

    [tool.shapecheck]
    select = ["SHP1", "SHP2"]          # codes or prefixes ("ALL"); default: the rules on by default
    extend-select = []
    ignore = ["SHP204"]
    per-file-ignores = { "tests/*" = ["SHP203"] }
    exclude = ["generated/"]           # gitignore-style patterns, from the file's folder
    extend-exclude = []
    respect-gitignore = true
    severity = { SHP203 = "error" }    # error | warning | info
    fail-on = "warning"

The nearest ``pyproject.toml`` with a ``[tool.shapecheck]`` table, looking from each checked
file's folder up, configures that file (``--config FILE`` names one for all). Command-line
options override it. A key or value it does not know is a ``ConfigError`` naming the key and
the file.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

SEVERITIES = ("info", "warning", "error")
# The rules off unless selected (their ``default_enabled``; kept here so that applying a
# configuration imports no rule).
DEFAULT_OFF = frozenset({"SHP001"})
_LISTS = ("select", "extend-select", "ignore", "exclude", "extend-exclude")
KEYS = (*_LISTS, "per-file-ignores", "respect-gitignore", "severity", "fail-on")


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Settings:
    """One configuration, with ``root`` the folder its patterns are relative to."""

    root: Path = field(default_factory=Path.cwd)
    source: str | None = None  # the file it was read from
    select: tuple = ()
    extend_select: tuple = ()
    ignore: tuple = ()
    per_file_ignores: tuple = ()  # (pattern, codes) pairs
    exclude: tuple = ()
    extend_exclude: tuple = ()
    respect_gitignore: bool = True
    severity: tuple = ()  # (selector, severity) pairs
    fail_on: str | None = None

    def enabled(self, code: str, path: str) -> bool:
        """Whether findings of ``code`` in ``path`` are reported."""
        if not self.select and code in DEFAULT_OFF and not _matches(code, self.extend_select):
            return False
        chosen = (self.select or ("SHP",)) + self.extend_select
        if not _matches(code, chosen) or _matches(code, self.ignore):
            return False
        where = self.relative(path)
        name = os.path.basename(where)
        return not any(_matches(code, codes) for pattern, codes in self.per_file_ignores
                       if fnmatch.fnmatch(where, pattern) or fnmatch.fnmatch(name, pattern))

    def severity_of(self, code: str, default: str) -> str:
        found = [(len(selector), level) for selector, level in self.severity if code.startswith(selector)]
        return max(found)[1] if found else default

    def relative(self, path: str) -> str:
        try:
            return Path(os.path.abspath(path)).relative_to(self.root).as_posix()
        except ValueError:
            return Path(path).as_posix()

    @property
    def exclusions(self) -> tuple:
        return self.exclude + self.extend_exclude

    def with_options(self, **options) -> Settings:
        """These settings with the command line's options (those not None) on top: its
        ``select`` replaces the file's, its ``ignore`` and ``extend_select`` add to them."""
        options = {k: v for k, v in options.items() if v is not None}
        for key in ("ignore", "extend_select"):
            if key in options:
                options[key] = getattr(self, key) + options[key]
        return replace(self, **options)


def _matches(code: str, selectors) -> bool:
    return any(code.startswith(selector) for selector in selectors)


def selectors(values, where: str) -> tuple:
    """Rule selectors (``SHP101``, ``SHP1``, ``ALL``) checked against the rule codes."""
    from shapecheck.rules import ALL_RULES

    codes = [rule.code for rule in ALL_RULES]
    found = []
    for value in values:
        value = value.strip().upper()
        if not value:
            continue
        if value == "ALL":
            value = "SHP"
        if not any(code.startswith(value) for code in codes):
            raise ConfigError(f"{where}: {value!r} selects no rule (codes are "
                              f"{codes[0]}..{codes[-1]}; `shapecheck rules` lists them)")
        found.append(value)
    return tuple(found)


def _load_toml(path: Path) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it: {exc}") from exc


def read_settings(path: Path, required: bool = False) -> Settings | None:
    """The settings of ``[tool.shapecheck]`` in ``path``; None when it has no such table
    (a ConfigError when ``required``: ``--config`` names it)."""
    table = _load_toml(path).get("tool", {}).get("shapecheck")
    if table is None:
        if required:
            raise ConfigError(f"{path}: has no [tool.shapecheck] table")
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.shapecheck] must be a table")
    values = {}
    for key, value in table.items():
        where = f"{path}: [tool.shapecheck] {key}"
        if key not in KEYS:
            raise ConfigError(f"{path}: unknown key {key!r} in [tool.shapecheck] "
                              f"(known: {', '.join(KEYS)})")
        name = key.replace("-", "_")
        if key in _LISTS:
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise ConfigError(f"{where}: must be a list of strings")
            values[name] = tuple(value) if "exclude" in key else selectors(value, where)
        elif key == "per-file-ignores":
            if not (isinstance(value, dict) and all(isinstance(v, list) for v in value.values())):
                raise ConfigError(f"{where}: must map file patterns to lists of rule codes")
            values[name] = tuple((pattern, selectors(codes, f"{where}.{pattern}"))
                                 for pattern, codes in value.items())
        elif key == "respect-gitignore":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: must be true or false")
            values[name] = value
        elif key == "severity":
            if not (isinstance(value, dict) and all(v in SEVERITIES for v in value.values())):
                raise ConfigError(f"{where}: must map rule codes to one of {', '.join(SEVERITIES)}")
            values[name] = tuple((selectors([code], where)[0], level) for code, level in value.items())
        else:  # fail-on
            if value not in SEVERITIES:
                raise ConfigError(f"{where}: must be one of {', '.join(SEVERITIES)}")
            values[name] = value
    return Settings(root=path.parent.resolve(), source=str(path), **values)


class Configurations:
    """The settings of each checked file: ``--config``'s for all, else the nearest
    ``pyproject.toml`` with a ``[tool.shapecheck]`` table above it (cached per folder)."""

    def __init__(self, config_file: str | None = None, **options):
        self.options = options
        self.fixed = None
        if config_file is not None:
            self.fixed = read_settings(Path(config_file), required=True).with_options(**options)
        self._by_folder: dict[Path, Settings] = {}

    def for_path(self, path: str) -> Settings:
        if self.fixed is not None:
            return self.fixed
        folder = Path(os.path.abspath(path))
        folder = folder if folder.is_dir() else folder.parent
        return self._for_folder(folder)

    def _for_folder(self, folder: Path) -> Settings:
        if folder not in self._by_folder:
            candidate = folder / "pyproject.toml"
            found = read_settings(candidate) if candidate.is_file() else None
            if found is not None:
                settings = found.with_options(**self.options)
            elif folder.parent != folder:
                settings = self._for_folder(folder.parent)
            else:
                settings = Settings().with_options(**self.options)
            self._by_folder[folder] = settings
        return self._by_folder[folder]


def apply(report, settings: Settings):
    """The report with only the findings its settings enable, at their severities."""
    kept = [replace(d, severity=settings.severity_of(d.code, d.severity))
            for d in report.diagnostics if settings.enabled(d.code, report.path)]
    return replace(report, diagnostics=kept)
