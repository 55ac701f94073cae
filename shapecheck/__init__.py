"""shapecheck: a static shape checker and linter for Keras / TensorFlow model code."""

from importlib import metadata


def version() -> str:
    """The installed distribution's version (``0+unknown`` when it is not installed)."""
    try:
        return metadata.version("keras-shapecheck")
    except metadata.PackageNotFoundError:
        return "0+unknown"
