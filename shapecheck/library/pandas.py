"""pandas as model code uses it to load data: a table's rows are what the file holds
(unknown); its columns are known where the code names them (``usecols=``, ``names=``,
``df[["a", "b"]]``, ``pd.DataFrame(array)``) and follow ``drop``, ``iloc`` and selection.
``.values`` / ``to_numpy()`` give the array Keras gets: (rows, columns), or (rows,) of a
column."""

from __future__ import annotations

from dataclasses import dataclass, replace

from shapecheck.library.registry import attribute, function, method
from shapecheck.values import UNKNOWN, Tensor


@dataclass(eq=False)
class Frame:
    """A DataFrame, or a Series when ``columns`` is None: ``columns`` is a tuple of the
    column names (None where a name is not known), or UNKNOWN."""

    rows: object
    columns: object = UNKNOWN

    @property
    def width(self):
        return UNKNOWN if self.columns is UNKNOWN else len(self.columns)

    @property
    def shape(self) -> tuple:
        return (self.rows,) if self.columns is None else (self.rows, self.width)


@dataclass(eq=False)
class Indexer:
    """``df.iloc`` / ``df.loc``: indexing it selects rows and columns."""

    frame: Frame
    by_position: bool


def _names(value):
    """A list of column names or positions as a tuple, else None."""
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int)) for v in value):
        return tuple(value)
    return None


@function("pandas.read_csv", "pandas.read_table", "pandas.read_excel", "pandas.read_parquet",
          "pandas.read_json", "pandas.read_feather")
def _read(site):
    """A file's table: its rows unknown; its columns those of ``usecols=`` or ``names=``."""
    chosen = _names(site.kwargs.get("usecols")) or _names(site.kwargs.get("names"))
    if chosen is not None and site.kwargs.get("index_col") is None:
        return Frame(UNKNOWN, tuple(c if isinstance(c, str) else None for c in chosen))
    return Frame(UNKNOWN)


@function("pandas.DataFrame")
def _data_frame(site):
    data, columns = site.arg(0, "data", None), _names(site.arg(2, "columns", None))
    if isinstance(data, Tensor) and data.shape is not None and len(data.shape) == 2:
        width = data.shape[1]
        names = columns or ((None,) * width if isinstance(width, int) else UNKNOWN)
        return Frame(data.shape[0], names)
    if isinstance(data, dict) and all(isinstance(k, str) for k in data):
        lengths = {len(v) if isinstance(v, (list, tuple)) else v.shape[0]
                   if isinstance(v, Tensor) and v.shape else UNKNOWN for v in data.values()}
        rows = lengths.pop() if len(lengths) == 1 else UNKNOWN
        return Frame(rows, tuple(data))
    return Frame(UNKNOWN, columns or UNKNOWN)


@function("pandas.Series")
def _series(site):
    data = site.arg(0, "data", None)
    if isinstance(data, (list, tuple)):
        return Frame(len(data), None)
    return Frame(data.shape[0] if isinstance(data, Tensor) and data.shape else UNKNOWN, None)


@function("pandas.get_dummies")
def _dummies(site):
    data = site.arg(0, "data")
    return Frame(data.rows if isinstance(data, Frame) else UNKNOWN)  # a column per category


def frame_binary(left, right):
    """``df / 255.0``, ``df["a"] > 0``, ``df - df.mean()``: a table (or column) of the same
    shape; a comparison's is boolean (a mask of rows)."""
    frames = [v for v in (left, right) if isinstance(v, Frame)]
    if len(frames) == 2 and (frames[0].columns is None) != (frames[1].columns is None):
        return Frame(frames[0].rows, UNKNOWN)  # a table and a column: pandas aligns them
    return replace(frames[0])


def as_data(value):
    """A table or column as the NumPy array Keras and scikit-learn take from it; other
    values as they are."""
    return to_array(value) if isinstance(value, Frame) else value


def to_array(frame: Frame) -> Tensor:
    """The NumPy array of a table ((rows, columns)) or of a column ((rows,))."""
    if frame.columns is None:
        return Tensor((frame.rows,), numpy=True)
    return Tensor((frame.rows, frame.width), numpy=True)


attribute("frame", "values")(lambda site: to_array(site.obj))
method("frame", "to_numpy")(lambda site: to_array(site.obj))
attribute("frame", "shape")(lambda site: site.obj.shape)
attribute("frame", "iloc")(lambda site: Indexer(site.obj, True))
attribute("frame", "loc")(lambda site: Indexer(site.obj, False))
method("frame", "__len__")(lambda site: site.obj.rows)


@attribute("frame", "columns")
def _columns(site):
    columns = site.obj.columns
    return list(columns) if isinstance(columns, tuple) and None not in columns else UNKNOWN


def with_column(frame: Frame, key) -> None:
    """``df[key] = value`` / ``df.insert(i, key, value)``, in place: a new column for each
    name the table does not have yet (a mask or an array as ``key`` writes rows)."""
    columns = frame.columns
    if columns is None or columns is UNKNOWN or isinstance(key, (Frame, Tensor)):
        return
    for name in key if isinstance(key, list) else [key]:
        if not isinstance(name, str) or name not in columns and None in columns:
            frame.columns = UNKNOWN
            return
        if name not in columns:
            columns = frame.columns = (*columns, name)


def without_column(frame: Frame, name) -> None:
    """``df.pop(name)`` / ``del df[name]``, in place (pandas raises KeyError for a name the
    table does not have)."""
    columns = frame.columns
    if isinstance(columns, tuple) and isinstance(name, str) and (name in columns or None in columns):
        frame.columns = tuple(c for c in columns if c != name) if name in columns else \
            (None,) * (len(columns) - 1)
    elif columns is not None:
        frame.columns = UNKNOWN


def in_place(frame: Frame, result) -> None:
    """What a method given ``inplace=True`` leaves the table it changes: its result."""
    if isinstance(result, Frame) and (result.columns is None) == (frame.columns is None):
        frame.rows, frame.columns = result.rows, result.columns
    else:
        frame.rows, frame.columns = UNKNOWN, None if frame.columns is None else UNKNOWN


@method("frame", "pop")
def _pop(site):
    """``df.pop(name)``: the column, taken out of the table."""
    without_column(site.obj, site.arg(0, "item"))
    return Frame(site.obj.rows, None)


@method("frame", "insert")
def _insert(site):
    with_column(site.obj, site.arg(1, "column"))


method("frame", "keys")(lambda site: _columns(site))


@method("frame", "copy", "fillna", "astype", "replace", "reset_index", "apply", "map",
        "rename", "bfill", "ffill", "clip", "abs", "round", "interpolate")
def _same(site):
    if site.name == "reset_index" and site.kwargs.get("drop") is not True and site.obj.columns is not None:
        return Frame(site.obj.rows)  # the old index becomes a column
    if site.name in ("apply", "map", "rename"):
        return replace(site.obj, columns=UNKNOWN if site.obj.columns is not None else None)
    return replace(site.obj)


@method("frame", "dropna", "drop_duplicates", "sample", "sort_values", "query")
def _rows_change(site):
    rows = site.obj.rows if site.name == "sort_values" else UNKNOWN
    if site.name == "dropna" and site.kwargs.get("axis") in (1, "columns"):
        return Frame(site.obj.rows, None if site.obj.columns is None else UNKNOWN)
    if site.name == "sample" and isinstance(site.arg(0, "n", None), int):
        rows = site.arg(0, "n")
    return replace(site.obj, rows=rows)


@method("frame", "head", "tail")
def _head(site):
    n, rows = site.arg(0, "n", 5), site.obj.rows
    if isinstance(n, int) and isinstance(rows, int):
        return replace(site.obj, rows=min(n, rows) if n >= 0 else max(rows + n, 0))
    return replace(site.obj, rows=UNKNOWN)  # the file may hold fewer


@method("frame", "drop")
def _drop(site):
    """``drop(columns=[...])`` / ``drop([...], axis=1)``: fewer columns; else rows dropped."""
    frame = site.obj
    named = site.kwargs.get("columns")
    if named is None and site.kwargs.get("axis") in (1, "columns"):
        named = site.arg(0, "labels", None)
    if named is None:
        return replace(frame, rows=UNKNOWN)
    named = (named,) if isinstance(named, str) else _names(named)
    if named is None or frame.columns is UNKNOWN or frame.columns is None:
        return Frame(frame.rows)
    if all(name in frame.columns for name in named):
        return Frame(frame.rows, tuple(c for c in frame.columns if c not in named))
    if None not in frame.columns:  # pandas raises KeyError: not a shape question here
        return Frame(frame.rows)
    return Frame(frame.rows, (None,) * (len(frame.columns) - len(named)))


def _select_columns(frame: Frame, key, by_position: bool):
    """The columns ``key`` selects: a Series for one, a table for a list or a slice."""
    if frame.columns is None:
        return None
    if isinstance(key, (str, int)) and not isinstance(key, bool):
        return None  # one column: a Series
    if isinstance(key, list):
        names = _names(key)
        return UNKNOWN if names is None else tuple(n if isinstance(n, str) else None for n in names)
    if isinstance(key, slice):
        if key == slice(None):
            return frame.columns
        if by_position and frame.columns is not UNKNOWN and all(
                b is None or isinstance(b, int) for b in (key.start, key.stop, key.step)):
            return frame.columns[key]
    return UNKNOWN


def _select_rows(frame: Frame, key, by_position: bool):
    if isinstance(key, slice) and key == slice(None):
        return frame.rows
    if by_position and isinstance(key, slice) and isinstance(frame.rows, int) and all(
            b is None or isinstance(b, int) for b in (key.start, key.stop, key.step)):
        return len(range(frame.rows)[key])
    return UNKNOWN


@method("frame", "__getitem__")
def _getitem(site):
    """``df["a"]`` (a column), ``df[["a", "b"]]`` (a table of those), ``df[mask]`` (rows)."""
    frame, key = site.obj, site.args[0]
    if isinstance(key, str):
        return Frame(frame.rows, None)
    if isinstance(key, list):
        return Frame(frame.rows, _select_columns(frame, key, False))
    if isinstance(key, slice):
        return replace(frame, rows=_select_rows(frame, key, True))
    return replace(frame, rows=UNKNOWN)  # a boolean mask


@method("indexer", "__getitem__")
def _located(site):
    """``df.iloc[rows, columns]`` / ``df.loc[rows, columns]``."""
    indexer, key = site.obj, site.args[0]
    frame, by_position = indexer.frame, indexer.by_position
    row_key, column_key = key if isinstance(key, tuple) and len(key) == 2 else (key, slice(None))
    if isinstance(row_key, int) and not isinstance(row_key, bool):
        return UNKNOWN  # one row
    rows = _select_rows(frame, row_key, by_position)
    return Frame(rows, _select_columns(frame, column_key, by_position))
