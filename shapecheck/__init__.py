"""shapecheck: a static shape checker and linter for Keras / TensorFlow model code.

The Python API (what ``shapecheck check`` runs, without the command line)::

    import shapecheck

    report = shapecheck.check_file("model.py")        # a .py file or a notebook
    report = shapecheck.check_source(code, "model.py")  # text, e.g. an editor's buffer
    for d in report.diagnostics:
        print(d.line, d.column, d.code, d.message)
    report.models[0].output_shape, report.to_json()      # the JSON contract's file object

Both return a ``shapecheck.results.FileReport`` and never raise for a problem of the
checked code (a syntax error is ``report.error``); the findings are those the
``[tool.shapecheck]`` configuration of the file's folder selects (``configure=False``: the
rules on by default).
"""

from __future__ import annotations

__all__ = ["check_file", "check_source", "version"]


def version() -> str:
    """The installed distribution's version (``0+unknown`` when it is not installed)."""
    from importlib import metadata

    try:
        return metadata.version("keras-shapecheck")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def check_file(path: str, *, configure: bool = True):
    """Check the file ``path`` (``*.py`` or ``*.ipynb``) as ``shapecheck check path`` does."""
    from shapecheck.files import check_path

    return _configured(check_path(str(path)), configure)


def check_source(source: str, path: str = "<string>", *, configure: bool = True):
    """Check ``source`` as the code of the file ``path`` (which need not exist)."""
    from shapecheck.files import check_text

    return _configured(check_text(source, str(path)), configure)


def _configured(report, configure: bool):
    from shapecheck.config import Configurations, Settings, apply

    return apply(report, Configurations().for_path(report.path) if configure else Settings())
