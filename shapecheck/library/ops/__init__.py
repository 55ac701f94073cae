"""Tensor operations of ``keras.ops``, TensorFlow (``tf``, ``tf.math``, ``tf.nn``,
``tf.image``, ``tf.linalg``), the legacy ``keras.backend`` and NumPy: joining and
splitting, reshaping, reductions, products, padding and repetition, resizing, gathering,
element-wise functions.

Each rule follows the library: ``keras.ops`` on KerasTensors follow Keras's
``compute_output_spec``, everything else what TensorFlow's (or NumPy's) kernels do;
an argument shapecheck does not know makes the dims it decides UNKNOWN (or the whole
shape unknown), and a ShapeError is raised only where the library raises.

One module per family; each registers its handlers when imported.
"""

from shapecheck.library.ops import (  # noqa: F401  (each registers its handlers)
    elementwise,
    images,
    indexing,
    joining,
    methods,
    products,
    reductions,
    repeating,
    reshaping,
)
