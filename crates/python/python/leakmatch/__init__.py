"""leakmatch from Python: exact normalization, breach sizing and keyed filters of Pakistani
MSISDNs and CNICs, with the CLI's rules, speed and reports.

Columns go in as Arrow arrays (zero copy through the Arrow C data interface), Polars or pandas
Series, or lists; results come back in the same kind of container. Every native call releases
the GIL and runs on leakmatch's thread pool (see :func:`set_threads`). Nothing here prints an
identifier or returns a key's bytes.

>>> import leakmatch
>>> leakmatch.normalize_msisdn(["0300-1234567", "9.23E+11"])
['923001234567', None]
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterable, Optional, Sequence, Tuple, Union

import pyarrow as pa

from . import _native
from .errors import ArtifactError, InputError, LeakmatchError, UsageError

__all__ = [
    "normalize_msisdn",
    "normalize_cnic",
    "Key",
    "Filter",
    "FilterBuilder",
    "size",
    "build",
    "match",
    "set_threads",
    "threads",
    "LeakmatchError",
    "UsageError",
    "InputError",
    "ArtifactError",
    "NORMALIZATION_VERSION",
]

__version__ = _native.__version__
#: Version of the normalization rules (the CLI's): filters record it.
NORMALIZATION_VERSION: int = _native.NORMALIZATION_VERSION

PathLike = Union[str, "os.PathLike[str]"]


class _Capsules:
    """An exported array: the ``(schema, array)`` capsules, for ``pyarrow.array``."""

    __slots__ = ("_pair",)

    def __init__(self, pair: Tuple[Any, Any]) -> None:
        self._pair = pair

    def __arrow_c_array__(self, requested_schema: Any = None) -> Tuple[Any, Any]:
        return self._pair


def _arrow_out(pair: Tuple[Any, Any]) -> pa.Array:
    return pa.array(_Capsules(pair))


_TEXT = (pa.types.is_string, pa.types.is_large_string, pa.types.is_binary,
         pa.types.is_large_binary, getattr(pa.types, "is_string_view", lambda t: False),
         getattr(pa.types, "is_binary_view", lambda t: False))


def _arrow_in(values: Any) -> Tuple[Any, Any]:
    """``values`` as an Arrow text array (zero copy where it is one) and what to shape results
    like: the Polars or pandas Series itself, ``"list"`` or ``"arrow"``."""
    kind: Any = "arrow"
    mod = type(values).__module__.split(".")[0]
    if mod == "polars":
        kind = values
        values = values.to_arrow()
    elif mod == "pandas":
        kind = values
        values = pa.Array.from_pandas(values)
    elif isinstance(values, (pa.Array, pa.ChunkedArray)):
        pass
    elif hasattr(values, "__arrow_c_array__"):
        return values, kind
    else:
        kind = "list"
        values = pa.array([None if v is None else str(v) for v in values], pa.large_string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if not any(test(values.type) for test in _TEXT):
        # Numbers (cells a spreadsheet turned into numbers), dictionaries: as text, as the CSV
        # path sees them. `9.23E+11`-style values stay lossy.
        try:
            values = values.cast(pa.large_string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
            raise UsageError(f"expected a column of text or numbers, got {values.type}") from e
    return values, kind


def _like(result: pa.Array, like: Any) -> Any:
    if isinstance(like, str):
        return result.to_pylist() if like == "list" else result
    if type(like).__module__.split(".")[0] == "polars":
        import polars as pl

        return pl.from_arrow(result).alias(like.name)
    series = result.to_pandas()
    series.index = like.index
    series.name = like.name
    return series


def _normalize(kind: str, values: Any, reasons: bool) -> Any:
    arrow, container = _arrow_in(values)
    out, why = _native.normalize(kind, arrow, reasons)
    canonical = _like(_arrow_out(out), container)
    if reasons:
        return canonical, _like(_arrow_out(why), container)
    return canonical


def normalize_msisdn(values: Any, *, reasons: bool = False) -> Any:
    """Canonical MSISDNs (``92`` + 10 digits) of ``values``, null where rejected.

    ``values``: a pyarrow array (or any object with ``__arrow_c_array__``), a Polars or pandas
    Series, or a list; the result is of the same kind (Arrow results are ``large_string``).
    Arrow text columns are read in place, without a copy. The rules are the CLI's (the PK
    mobile pattern of libphonenumber); Excel scientific notation (``9.23E+11``) is rejected as
    ``lossy``, never guessed. With ``reasons=True`` returns ``(canonical, reasons)``, the reason
    per value (``empty``, ``not_mobile``, ``bad_length``, ``lossy``, ``junk``; null where valid).
    """
    return _normalize("msisdn", values, reasons)


def normalize_cnic(values: Any, *, reasons: bool = False) -> Any:
    """Canonical CNICs (13 digits) of ``values``, null where rejected; see
    :func:`normalize_msisdn` for the inputs, results and ``reasons``."""
    return _normalize("cnic", values, reasons)


def set_threads(n: Optional[int] = None) -> None:
    """Use ``n`` worker threads for native calls (``None``: one per core), like ``--threads``."""
    _native.set_threads(n)


def threads() -> int:
    """Worker threads native calls use."""
    return _native.threads()


class Key:
    """A leakmatch key. Only its public :attr:`id` is visible; the bytes never reach Python."""

    __slots__ = ("_key",)

    def __init__(self, _native_key: Any) -> None:
        self._key = _native_key

    @classmethod
    def generate(cls) -> "Key":
        """A new random key."""
        return cls(_native.Key.generate())

    @classmethod
    def load(cls, path: PathLike, *, allow_insecure: bool = False) -> "Key":
        """Reads a key file (``leakmatch keygen``); refuses one others can read unless
        ``allow_insecure``."""
        return cls(_native.Key.load(os.fspath(path), allow_insecure))

    def save(self, path: PathLike) -> None:
        """Writes the key to a new file, mode 0600; never replaces a file."""
        self._key.save(os.fspath(path))

    @property
    def id(self) -> str:
        """The key's public id, as filter headers record it."""
        return self._key.id

    def __repr__(self) -> str:
        return f"Key(id={self.id!r})"

    def __reduce__(self) -> Any:
        raise TypeError("a leakmatch Key cannot be pickled: save it with Key.save(path)")


class Filter:
    """An opened ``.lmf`` filter, verified in full."""

    __slots__ = ("_filter",)

    def __init__(self, _native_filter: Any) -> None:
        self._filter = _native_filter

    @classmethod
    def open(cls, path: PathLike, key: Optional[Key] = None, *, mmap: bool = True) -> "Filter":
        """Opens the filter at ``path``. With ``key`` (needed by :meth:`contains`), verifies its
        MAC under that key, as ``leakmatch match`` does (:class:`ArtifactError` if forged or
        built with another key); without, checks its integrity only, as ``inspect`` does."""
        native_key = key._key if key is not None else None
        return cls(_native.Filter.open(os.fspath(path), native_key, mmap))

    def contains(self, kind: str, values: Any, cnic: Any = None) -> Any:
        """Whether each value is (probably) in the filter: booleans, null where the value is
        not a valid identifier, in the container ``values`` came in. ``kind``: ``msisdn``,
        ``cnic``, or ``pair`` with ``values`` the MSISDNs and ``cnic`` the CNICs, row by row."""
        arrow, container = _arrow_in(values)
        second = _arrow_in(cnic)[0] if cnic is not None else None
        return _like(_arrow_out(self._filter.contains(kind, arrow, second)), container)

    def inspect(self) -> dict:
        """Header and fill, as ``leakmatch inspect --json`` reports them."""
        return json.loads(self._filter.inspect())

    @property
    def key_id(self) -> Optional[str]:
        """Id of the key the filter was built with (``None`` for an online filter)."""
        return self._filter.key_id

    def __repr__(self) -> str:
        return repr(self._filter)


class FilterBuilder:
    """A filter filled from columns, as ``leakmatch build`` fills one from a dump: the same
    rows and options (``--capacity``, ``--fpr``, ``--kinds``) and key give the same bytes.

    ``kinds`` defaults to ``pair``, as the CLI's does: a token only where a row has both a valid
    MSISDN and a valid CNIC. With ``msisdn`` or ``cnic`` tokens, anyone holding the key can
    recover every such identifier in the filter by enumeration (see ``leakmatch inspect``)."""

    __slots__ = ("_builder",)

    def __init__(self, key: Key, capacity: int, *, fpr: float = 1e-6,
                 kinds: Union[str, Sequence[str]] = "pair") -> None:
        if not isinstance(kinds, str):
            kinds = ",".join(kinds)
        self._builder = _native.FilterBuilder(key._key, capacity, fpr, kinds)

    def add(self, msisdn: Any = None, cnic: Any = None) -> int:
        """Adds rows: the i-th MSISDN and i-th CNIC are one record (a pair token when both are
        valid). Returns how many rows held a valid identifier."""
        m = _arrow_in(msisdn)[0] if msisdn is not None else None
        c = _arrow_in(cnic)[0] if cnic is not None else None
        return self._builder.add(m, c)

    def merge(self, other: "FilterBuilder") -> None:
        """Adds ``other``'s rows (same key, kinds, capacity and FPR)."""
        self._builder.merge(other._builder)

    @property
    def counts(self) -> dict:
        """Tokens added so far, per kind."""
        m, c, p = self._builder.counts
        return {"msisdn": m, "cnic": c, "pair": p}

    def write(self, path: PathLike) -> dict:
        """Writes the filter (atomically) and returns the ``leakmatch build --json`` summary."""
        return json.loads(self._builder.write(os.fspath(path)))


def _paths(paths: Union[PathLike, Iterable[PathLike]]) -> list:
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    return [os.fspath(p) for p in paths]


def _cols(cols: Union[None, str, int, Iterable[Union[str, int]]]) -> list:
    if cols is None:
        return []
    if isinstance(cols, (str, int)):
        return [str(cols)]
    return [str(c) for c in cols]


def size(paths: Union[PathLike, Iterable[PathLike]], *, format: str = "auto",
         msisdn_cols: Any = None, cnic_cols: Any = None, sim_limit: int = 8,
         memory: str = "4G", overlap: bool = False, mmap: bool = True,
         allow_truncated: bool = False) -> dict:
    """Sizes a breach: the report of ``leakmatch size --json`` as a dict (counts only)."""
    return json.loads(_native.size(_paths(paths), format, _cols(msisdn_cols), _cols(cnic_cols),
                                   sim_limit, memory, overlap, mmap, allow_truncated))


def build(paths: Union[PathLike, Iterable[PathLike]], key: Key, output: PathLike, *,
          fpr: float = 1e-6, capacity: Optional[int] = None,
          kinds: Union[str, Sequence[str]] = "pair",
          format: str = "auto", msisdn_cols: Any = None,
          cnic_cols: Any = None, mmap: bool = True, allow_truncated: bool = False) -> dict:
    """Builds a filter from dumps into ``output``: the summary of ``leakmatch build --json``."""
    if not isinstance(kinds, str):
        kinds = ",".join(kinds)
    return json.loads(_native.build(_paths(paths), key._key, os.fspath(output), fpr, capacity,
                                    kinds, format, _cols(msisdn_cols),
                                    _cols(cnic_cols), mmap, allow_truncated))


def match(paths: Union[PathLike, Iterable[PathLike]], key: Key, filter: PathLike, *,
          memory: str = "128M", accept_high_fpr: bool = False, format: str = "auto",
          msisdn_cols: Any = None, cnic_cols: Any = None, mmap: bool = True,
          allow_truncated: bool = False) -> dict:
    """Tests a subscriber base against a filter: the report of ``leakmatch match --json``.
    The filter's MAC is verified under ``key``; a filter whose implied FPR is far above its
    target is refused (:class:`ArtifactError`) unless ``accept_high_fpr``."""
    return json.loads(_native.match_files(_paths(paths), key._key, os.fspath(filter), memory,
                                          accept_high_fpr, format, _cols(msisdn_cols), _cols(cnic_cols), mmap,
                                          allow_truncated))
