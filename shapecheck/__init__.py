"""shapecheck: a static shape checker and linter for Keras / TensorFlow model code."""
