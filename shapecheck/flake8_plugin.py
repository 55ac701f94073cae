"""shapecheck as a flake8 plugin: ``flake8 --select SHP`` reports shapecheck's findings
beside flake8's own (the ``flake8.extension`` entry point ``SHP``).

flake8 hands the plugin each file's lines; shapecheck analyses them as ``shapecheck check``
does, with the file's ``[tool.shapecheck]`` configuration. A file shapecheck cannot check
(a syntax error) gives nothing here: flake8 reports the syntax error itself.
"""

from __future__ import annotations

import shapecheck
from shapecheck.config import ConfigError, Configurations, Settings, apply
from shapecheck.files import check_text


class ShapecheckPlugin:
    """flake8's tree plugin interface: ``run()`` yields (line, column, message, type)."""

    name = "shapecheck"
    version = shapecheck.version()

    def __init__(self, tree, filename: str, lines: list[str]):
        self.filename, self.lines = filename, lines

    def run(self):
        report = check_text("".join(self.lines), self.filename)
        try:
            settings = Configurations().for_path(self.filename)
        except ConfigError:  # ``shapecheck check`` reports a bad configuration; flake8 keeps its own
            settings = Settings()
        report = apply(report, settings)
        for d in report.diagnostics:
            if d.file is None:
                yield d.line, d.column - 1, f"{d.code} {d.message}", type(self)
