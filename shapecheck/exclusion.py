"""Which files a folder walk leaves out: the configuration's ``exclude`` patterns (relative
to the configuration's folder) and, with ``respect-gitignore``, the ``.gitignore`` files of
the folders from the repository's top down (gitignore syntax through ``pathspec``, imported
only when there is a pattern to match). A file named on the command line is always checked."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from shapecheck.config import Configurations


def _spec(lines):
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


@cache
def _gitignore(folder: Path):
    """The patterns of ``folder/.gitignore``, or None."""
    path = folder / ".gitignore"
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return _spec(lines) if any(line.strip() and not line.startswith("#") for line in lines) else None


@cache
def _repository_top(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


@cache
def _exclude_spec(patterns: tuple):
    return _spec(patterns) if patterns else None


class Exclusions:
    """``skipped(path, is_folder)`` for the files and folders of a walk."""

    def __init__(self, configurations: Configurations):
        self.configurations = configurations

    def skipped(self, path: str, is_folder: bool) -> bool:
        absolute = Path(os.path.abspath(path))
        settings = self.configurations.for_path(str(absolute.parent))
        suffix = "/" if is_folder else ""
        spec = _exclude_spec(settings.exclusions)
        if spec is not None:
            try:
                relative = absolute.relative_to(settings.root).as_posix()
            except ValueError:
                relative = None
            if relative is not None and spec.match_file(relative + suffix):
                return True
        if not settings.respect_gitignore:
            return False
        top = _repository_top(absolute.parent)
        if top is None:
            return False
        for folder in (absolute.parent, *absolute.parent.parents):  # each .gitignore above it
            ignore = _gitignore(folder)
            if ignore is not None and ignore.match_file(absolute.relative_to(folder).as_posix() + suffix):
                return True
            if folder == top:
                break
        return False
