"""The fixture programs: every ``*.py`` under ``fixtures/`` but the modules of a package
(a folder with ``__init__.py``), which the programs beside it import."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "fixtures").rglob("*.py")
                  if not (p.parent / "__init__.py").exists())
