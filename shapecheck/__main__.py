"""``python -m shapecheck``: the same as the ``shapecheck`` command."""

from shapecheck.cli import main

main(prog_name="shapecheck")
