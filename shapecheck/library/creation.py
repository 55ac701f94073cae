"""Making tensors: zeros / ones / fill, the random generators (TensorFlow's, Keras's,
NumPy's), eye, ranges (arange, linspace and its kin), meshgrid, and ``keras.Variable``."""

from __future__ import annotations

import math
from dataclasses import dataclass

from shapecheck.library.registry import FUNCTIONS, Site, function, method
from shapecheck.library.tensors import _dim, _nested_shape, as_tensor, dtype_of, shape_arg, tensor
from shapecheck.values import UNKNOWN, Tensor


def _creation(site, shape_index=0, shape_name="shape", dtype_name="dtype"):
    return tensor(shape_arg(site.arg(shape_index, shape_name)), dtype_of(site.kwargs.get(dtype_name)))


function("tensorflow.random.normal", "tensorflow.random.uniform", "tensorflow.random.truncated_normal",
         "tensorflow.zeros", "tensorflow.ones", "keras.random.normal", "keras.random.uniform",
         "keras.ops.zeros", "keras.ops.ones", "numpy.zeros", "numpy.ones", "numpy.empty",
         "keras.ops.full", "numpy.full", "keras.random.truncated_normal",
         # the legacy tf.keras.backend's (TensorFlow 2 still has them there)
         "keras.backend.random_normal", "keras.backend.random_uniform",
         "keras.backend.random_bernoulli")(_creation)
function("tensorflow.fill")(lambda site: _creation(site, 0, "dims"))
function("numpy.random.random")(lambda site: _creation(site, 0, "size"))
function("numpy.random.normal", "numpy.random.uniform")(lambda site: _creation(site, 2, "size"))


@function("numpy.random.randint")
def _randint(site):
    """``np.random.randint(low, high, size)``: integers (NumPy's default int64; one
    without ``size``). Drawn from 0 .. k - 1 so many times that each value occurs (but
    with a chance below one in a million), they are labels of k classes; drawn from
    low .. k - 1, their largest value is known."""
    size = site.arg(2, "size", None)
    if size is None:
        return Tensor((), "int64", numpy=True, python=True)
    low, high, shape = site.arg(0, "low"), site.arg(1, "high", None), shape_arg(size)
    if high is None:
        low, high = 0, low
    labels = all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)) \
        and 0 <= low < high and shape is not None and all(isinstance(d, int) for d in shape) \
        and _every_value_drawn(high - low, math.prod(shape))
    return Tensor(shape, dtype_of(site.kwargs.get("dtype")) or "int64",
                  classes=high if labels and low == 0 else None, top=high if labels else None)


def _every_value_drawn(k: int, draws: int) -> bool:
    """Whether ``draws`` uniform draws from k values miss one with a chance below 1e-6
    (bounded by k (1 - 1/k) ** draws)."""
    return k == 1 or draws * math.log1p(-1 / k) + math.log(k) < math.log(1e-6)


@function("numpy.random.multivariate_normal")
def _multivariate_normal(site):
    """``size`` draws (one without it) of a vector as long as ``mean``."""
    mean, size = site.arg(0, "mean"), site.arg(2, "size", None)
    length = _nested_shape(mean)
    draws = () if size is None else shape_arg(size)
    if length is None or len(length) != 1 or draws is None:
        return UNKNOWN
    return Tensor((*draws, length[0]), "float64", numpy=True)


@function("numpy.random.permutation")
def _permutation(site):
    """``np.random.permutation(n)``: 0..n-1 shuffled; of an array, its rows shuffled."""
    x = site.arg(0, "x")
    if isinstance(x, int) and not isinstance(x, bool):
        return Tensor((x,), "int64", numpy=True)
    if isinstance(x, Tensor) and x.shape:
        return Tensor(x.shape, x.dtype, numpy=True, classes=x.classes)
    return UNKNOWN


@function("numpy.random.choice")
def _choice(site):
    """``np.random.choice(a, size)``: ``size`` items of ``a`` (a range when ``a`` is an int)."""
    a, size = site.arg(0, "a"), site.arg(1, "size", None)
    shape = () if size is None else shape_arg(size)
    if isinstance(a, int) and not isinstance(a, bool) or isinstance(a, range) or isinstance(
            a, (list, tuple)) and a and all(isinstance(v, int) and not isinstance(v, bool) for v in a):
        dtype = "int64"  # (np.random.choice(range(n)), of a list of ints)
    elif isinstance(a, (list, tuple)) and a and all(isinstance(v, str) for v in a):
        dtype = "str"  # (class names)
    elif isinstance(a, Tensor) and a.shape is not None and len(a.shape) == 1:
        dtype = a.dtype
    else:
        return UNKNOWN
    return tensor(shape, dtype)
function("numpy.random.rand", "numpy.random.randn")(lambda site: tensor(shape_arg(list(site.args))))


@function("tensorflow.eye", "tensorflow.linalg.eye", "keras.ops.eye", "numpy.eye")
def _eye(site):
    """``tf.eye(n, m, batch_shape)`` / ``np.eye(N, M)``: an (n, m) matrix (m defaults to n)."""
    rows = site.arg(0, "num_rows", site.kwargs.get("N", UNKNOWN))
    columns = site.arg(1, "num_columns", site.kwargs.get("M", None))
    batch = shape_arg(site.kwargs.get("batch_shape", ())) if site.name.startswith("tensorflow.") else ()
    if batch is None:
        return Tensor(None)
    return Tensor((*batch, _dim(rows), _dim(rows if columns is None else columns)))


@function("tensorflow.range", "numpy.arange", "keras.ops.arange")
def arange(site):
    """``tf.range`` / ``np.arange``: a 1-D tensor of the range's length."""
    start = site.arg(0, "start")
    limit = site.arg(1, "limit", site.kwargs.get("stop", None))
    bounds = (0, start) if limit is None else (start, limit)  # arange(n) counts from 0
    bounds += (site.arg(2, "delta", site.kwargs.get("step", 1)),)
    if bounds[2] == 0 or any(isinstance(b, bool) for b in bounds):
        return Tensor((UNKNOWN,))
    if all(isinstance(b, int) for b in bounds):  # of integers: NumPy's int64, TensorFlow's int32
        numpy = site.name == "numpy.arange"
        return Tensor((len(range(*bounds)),), "int64" if numpy else "int32", numpy=numpy)
    if site.name == "numpy.arange" and all(isinstance(b, (int, float)) for b in bounds):
        # NumPy's length of a float range, in its arithmetic (TensorFlow's is float32's)
        return Tensor((max(0, math.ceil((bounds[1] - bounds[0]) / bounds[2])),), "float64", numpy=True)
    return Tensor((UNKNOWN,))


@function("numpy.linspace", "numpy.logspace", "numpy.geomspace", "tensorflow.linspace",
          "keras.ops.linspace", "keras.ops.logspace")
def _linspace(site):
    """``np.linspace(start, stop, num=50)`` of two numbers: ``num`` evenly spaced ones
    (with ``retstep=True``, a pair: unknown here)."""
    ends = (site.arg(0, "start"), site.arg(1, "stop"))
    num = site.arg(2, "num", 50)
    if not all(isinstance(e, (int, float)) or isinstance(e, Tensor) and e.shape == () for e in ends) \
            or site.kwargs.get("retstep", False) is not False:
        return UNKNOWN
    numpy = site.name.startswith("numpy.")
    return Tensor((_dim(num),), "float64" if numpy else None, numpy=numpy)


@function("numpy.meshgrid", "tensorflow.meshgrid", "keras.ops.meshgrid")
def _meshgrid(site):
    """``meshgrid(x1, ..., xn, indexing="xy")`` of 1-D arrays: n arrays of their lengths
    (``"xy"``: the first two swapped)."""
    arrays, indexing = [as_tensor(a) for a in site.args], site.kwargs.get("indexing", "xy")
    if not arrays or indexing not in ("xy", "ij") or not all(
            a is not None and a.shape is not None and len(a.shape) == 1 for a in arrays):
        return UNKNOWN
    shape = [a.shape[0] for a in arrays]
    if indexing == "xy" and len(shape) > 1:
        shape[0], shape[1] = shape[1], shape[0]
    numpy = site.name.startswith("numpy.")
    return tuple(Tensor(tuple(shape), a.dtype, numpy=numpy) for a in arrays)


@function("keras.Variable")
def _keras_variable(site):
    """``keras.Variable(initializer, shape=None, dtype=None, ...)``: of the initial value's
    shape, or of ``shape`` (an initializer object or name needs it)."""
    initial, shape = site.arg(0, "initializer"), site.arg(1, "shape", None)
    dtype = dtype_of(site.arg(2, "dtype", None)) or "float32"
    if shape is not None:
        return tensor(shape_arg(shape), dtype)
    return Tensor(initial.shape, dtype) if isinstance(initial, Tensor) else Tensor(None, dtype)


@dataclass(eq=False)
class RandomGenerator:
    """``np.random.default_rng(seed)``: its methods draw as the ``np.random`` functions do;
    ``legacy``: an ``np.random.RandomState(seed)``, whose methods have those functions' names."""

    legacy: bool = False


function("numpy.random.default_rng", "numpy.random.Generator")(lambda site: RandomGenerator())
function("numpy.random.RandomState")(lambda site: RandomGenerator(legacy=True))
# Each Generator method and the np.random function that takes the same arguments.
_DRAWS = {"integers": "randint", "random": "random", "normal": "normal", "uniform": "uniform",
          "choice": "choice", "permutation": "permutation", "standard_normal": "random"}
_LEGACY_DRAWS = {**{name: name for name in ("rand", "randn", "randint", "random", "normal", "uniform",
                                            "choice", "permutation")},
                 "random_sample": "random", "standard_normal": "random"}


@method("rng", *{**_DRAWS, **_LEGACY_DRAWS})
def _draw(site):
    draws = _LEGACY_DRAWS if site.obj.legacy else _DRAWS
    if site.name not in draws:
        return UNKNOWN
    name = f"numpy.random.{draws[site.name]}"
    return FUNCTIONS[name](Site(site.ev, name, site.args, site.kwargs, site.node))
