"""A cache of the reports of checked files, so that a rerun checks only what changed.

An entry is keyed by the file's path and content and by shapecheck's own code (its files'
sizes and times: a new version, or an edited checkout, never reads a stale entry), and
holds the report before configuration (so that ``--select`` and ``[tool.shapecheck]`` need
no new analysis) and the project modules the analysis ran, each with the hash of its
text: an entry whose modules changed is not used. The folder is ``.shapecheck_cache`` in
the working folder (``$SHAPECHECK_CACHE_DIR`` elsewhere); it ignores itself for git.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import replace
from functools import cache
from pathlib import Path

from shapecheck.machine import uses_onednn

FOLDER = ".shapecheck_cache"


@cache
def _code_stamp() -> str:
    """The size and time of each of shapecheck's files (a new version changes them too)."""
    package = Path(__file__).parent
    stamp = []
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json", ".gz"):
            info = path.stat()
            stamp.append(f"{path.relative_to(package)}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(stamp).encode()).hexdigest()


def text_digest(text: str) -> str:
    """The hash a project module is known by in ``Project.modules``."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def module_hash(path: str) -> str | None:
    """The ``text_digest`` of a project module's file now (None: unreadable)."""
    try:
        return text_digest(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


class Cache:
    """The reports of one cache folder."""

    def __init__(self, folder: str | None = None):
        self.folder = Path(folder or os.environ.get("SHAPECHECK_CACHE_DIR") or FOLDER)
        self.hits, self._made = 0, False

    def _entry(self, path: str) -> Path | None:
        try:
            content = Path(path).read_bytes()
        except OSError:
            return None
        # (and by the machine's TensorFlow kernels, which some findings depend on)
        stamp = f"{_code_stamp()}\0{uses_onednn()}\0{os.path.abspath(path)}\0"
        key = hashlib.sha256(stamp.encode() + content)
        digest = key.hexdigest()
        return self.folder / digest[:2] / digest[2:]

    def get(self, path: str):
        """The cached report of ``path``, or None."""
        entry = self._entry(path)
        try:
            with open(entry, "rb") as handle:
                modules, report = pickle.load(handle)
        except (OSError, TypeError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return None
        if any(module_hash(module) != digest for module, digest in modules):
            return None
        self.hits += 1
        return replace(report, path=path)

    def put(self, path: str, report) -> None:
        """Keep ``report`` (not a crash, which may be the machine's: a rerun tries again)."""
        if report.error is not None and report.error.startswith("internal error"):
            return
        entry = self._entry(path)
        if entry is None:
            return
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not self._made and not ignore.exists():
                ignore.write_text("# made by shapecheck\n*\n", encoding="utf-8")
            self._made = True
            with tempfile.NamedTemporaryFile("wb", dir=entry.parent, delete=False) as handle:
                pickle.dump((report.modules, report), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(handle.name, entry)
        except OSError:
            pass  # a read-only folder: no cache, the same results
