"""The fixture programs: every ``*.py`` under ``fixtures/`` but the modules of a package
(a folder with ``__init__.py``), which the programs beside it import; and the notebooks
of ``fixtures/notebooks/``, each the program of its code cells (``program_source``)."""

from pathlib import Path

from shapecheck.files import read_program

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "fixtures").rglob("*.py")
                  if not (p.parent / "__init__.py").exists())
NOTEBOOKS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "fixtures" / "notebooks").glob("*.ipynb"))


def program_source(path: str) -> str:
    """The Python source shapecheck analyses for a fixture (a notebook's code cells)."""
    return read_program(str(ROOT / path))[0]
