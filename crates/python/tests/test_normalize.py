"""normalize_msisdn / normalize_cnic: the CLI's rules, every container, zero copy."""

import resource

import pyarrow as pa
import pytest

import leakmatch

MSISDN_CASES = [
    ("0300-1234567", "923001234567", None),
    ("+92 (0) 300 1234567", "923001234567", None),
    ("923451234567", "923451234567", None),
    ("923001234567.0", "923001234567", None),
    ("9.23001E+11", None, "lossy"),
    ("9.23E+11", None, "lossy"),
    ("", None, "empty"),
    (None, None, "empty"),
    ("03381234567", None, "not_mobile"),
    ("0300123", None, "bad_length"),
    ("0300-12x4567", None, "junk"),
]


def test_msisdn_rules_and_reasons():
    values = [v for v, _, _ in MSISDN_CASES]
    canon, why = leakmatch.normalize_msisdn(values, reasons=True)
    assert canon == [c for _, c, _ in MSISDN_CASES]
    assert why == [r for _, _, r in MSISDN_CASES]


def test_cnic_rules():
    canon, why = leakmatch.normalize_cnic(
        ["35202-1234567-1", "3520212345671", "0520212345671", "35202-1234567", "+3520212345671"],
        reasons=True,
    )
    assert canon == ["3520212345671", "3520212345671", None, None, None]
    assert why[:2] == [None, None] and all(why[2:])


def test_containers_round_trip():
    pl = pytest.importorskip("polars")
    values = ["0300-1234567", "bad"]
    arrow = leakmatch.normalize_msisdn(pa.array(values))
    assert isinstance(arrow, pa.Array) and arrow.to_pylist() == ["923001234567", None]
    assert leakmatch.normalize_msisdn(pa.array(values, pa.string_view())).to_pylist() == arrow.to_pylist()
    assert leakmatch.normalize_msisdn(pa.chunked_array([values[:1], values[1:]])).to_pylist() == arrow.to_pylist()
    series = pl.Series("mobile", values)
    out = leakmatch.normalize_msisdn(series)
    assert isinstance(out, pl.Series) and out.name == "mobile"
    assert out.to_list() == ["923001234567", None]


def test_numbers_are_read_as_text_and_scientific_notation_stays_lossy():
    out, why = leakmatch.normalize_msisdn(pa.array([923001234567, 3001234567]), reasons=True)
    assert out.to_pylist() == ["923001234567", "923001234567"]
    _, why = leakmatch.normalize_msisdn(["9.23E+11"], reasons=True)
    assert why == ["lossy"]


def test_large_arrow_column_is_not_copied():
    n = 2_000_000
    column = pa.array([f"0300{i:07d}" for i in range(n)], pa.string())
    pool_before = pa.total_allocated_bytes()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = leakmatch.normalize_msisdn(column)
    # The input is read in place and the result allocated by leakmatch: pyarrow's pool does
    # not grow (a cast or a copy of the column would allocate there).
    assert pa.total_allocated_bytes() == pool_before
    assert len(out) == n and out.null_count == 0 and out[12345].as_py() == "923000012345"
    # Peak RSS grew by about the result (12 bytes + 8 offset bytes a row), not by more.
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert grown_kib * 1024 < n * 20 + column.nbytes


def test_bad_column_types_raise_usage_errors():
    with pytest.raises(leakmatch.UsageError):
        leakmatch.normalize_msisdn(pa.array([[1, 2]]))
    with pytest.raises(ValueError):
        leakmatch._native.normalize("imei", pa.array(["1"]), False)


def test_threads_setting():
    leakmatch.set_threads(2)
    assert leakmatch.threads() == 2
    assert leakmatch.normalize_cnic(["35202-1234567-1"] * 50000)[49999] == "3520212345671"
    leakmatch.set_threads(None)
    with pytest.raises(leakmatch.UsageError):
        leakmatch.set_threads(0)
