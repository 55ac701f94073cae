"""Write the rules' documentation from the rule catalog (``shapecheck.rules.ALL_RULES``):
one page per rule, ``docs/rules/CODE.md``, and the README's rule table (between the
``<!-- rules:start -->`` and ``<!-- rules:end -->`` markers).

    python tools/rule_docs.py

``tests/test_rules.py`` fails when the pages or the table differ from what this writes.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from shapecheck.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "rules"
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def _sections(rule) -> tuple[str, str, str]:
    """The docstring's summary, its "Why:" paragraph and its "Instead:" paragraph."""
    doc = inspect.getdoc(rule) or ""
    summary, _, rest = doc.partition("\n\n")
    why = re.search(r"Why:(.*?)(?=\n\s*Instead:|\Z)", rest, re.S)
    instead = re.search(r"Instead:(.*)", rest, re.S)
    def text(part: str) -> str:  # one paragraph of Markdown
        words = " ".join(part.split()).replace("``", "`")
        return words[:1].upper() + words[1:]

    return text(summary), text(why.group(1)) if why else "", text(instead.group(1)) if instead else ""


def page(rule) -> str:
    """A rule's page: what it does, why it is bad, an example, what to write instead."""
    summary, why, instead = _sections(rule)
    parts = [f"# {rule.code} {rule.name}", f"Default severity: **{rule.severity}**.",
             "## What it does", summary, "## Why is this bad?", why]
    if rule.INVALID:
        parts += ["## Example", f"```python\n{rule.INVALID[0].rstrip()}\n```"]
    parts += ["## Use instead", instead]
    if rule.VALID:
        parts.append(f"```python\n{rule.VALID[0].rstrip()}\n```")
    if rule.fix:
        parts += ["## Fix", f"`shapecheck --fix` (or `--diff`, or the editor's quick fix): {rule.fix}"]
    if rule.needs_tensorflow:
        parts.append("Reported by `shapecheck --verify` only (it runs the code under TensorFlow).")
    return "\n\n".join(part for part in parts if part) + "\n"


def table() -> str:
    """The README's rule table, each code linking to its page."""
    rows = ["| code | name | severity | fix | what it flags |", "|---|---|---|---|---|"]
    rows += [f"| [{rule.code}](docs/rules/{rule.code}.md) | {rule.name} | {rule.severity} | "
             f"{'yes' if rule.fix else ''} | {_sections(rule)[0]} |" for rule in ALL_RULES]
    return "\n".join(rows)


def readme_with_table(readme: str) -> str:
    before, _, rest = readme.partition(START)
    _, _, after = rest.partition(END)
    return f"{before}{START}\n{table()}\n{END}{after}"


def main() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    for old in DOCS.glob("*.md"):
        old.unlink()
    for rule in ALL_RULES:
        (DOCS / f"{rule.code}.md").write_text(page(rule), encoding="utf-8")
    readme = ROOT / "README.md"
    readme.write_text(readme_with_table(readme.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"{DOCS.relative_to(ROOT)}: {len(ALL_RULES)} pages; README.md: the rule table")


if __name__ == "__main__":
    main()
