"""Parquet and Feather inputs, compressed as exporters compress them, size, build and match as
the CLI does on the CSV of the same rows; a file with a codec leakmatch does not read, or a
truncated one, is an InputError naming the file."""

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

import leakmatch
from conftest import cli_json

ROWS = 12000
SEED = 23


def _strip(report):
    """A size report without what names the input (file name, format, bytes)."""
    for part in report["inputs"] + [report.get("total") or {}]:
        for k in ("name", "format", "bytes"):
            part.pop(k, None)
    return report


@pytest.fixture(scope="module")
def same_rows(tmp_path_factory, cli):
    """The generated dump as CSV and as a pyarrow table of the same rows."""
    d = tmp_path_factory.mktemp("tables")
    csv, base, parquet = d / "dump.csv", d / "base.csv", d / "gen.parquet"
    cli("gen", "--rows", ROWS, "--seed", SEED, "--output", csv, "--subscribers", base)
    cli("gen", "--rows", ROWS, "--seed", SEED, "--format", "parquet", "--output", parquet)
    table = pq.read_table(parquet)
    # Small row groups and batches: several units, read in parallel.
    return d, csv, base, table


VARIANTS = [
    ("snappy.parquet", lambda t, p: pq.write_table(t, p, compression="snappy", row_group_size=2500)),
    ("lz4.parquet", lambda t, p: pq.write_table(t, p, compression="lz4", row_group_size=2500)),
    ("zstd.parquet", lambda t, p: pq.write_table(t, p, compression="zstd", row_group_size=2500)),
    ("gzip.parquet", lambda t, p: pq.write_table(t, p, compression="gzip", row_group_size=2500)),
    ("lz4.feather", lambda t, p: feather.write_feather(t, p, compression="lz4", chunksize=2500)),
    ("zstd.feather", lambda t, p: feather.write_feather(t, p, compression="zstd", chunksize=2500)),
    ("plain.feather", lambda t, p: feather.write_feather(t, p, compression="uncompressed",
                                                        chunksize=2500)),
]


@pytest.mark.parametrize("name,write", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_compressed_tables_equal_the_cli_on_the_csv(cli, same_rows, keyfile, name, write):
    d, csv, base, table = same_rows
    path = d / name
    write(table, path)
    theirs = _strip(cli_json(cli("size", "--json", csv)))
    assert theirs["inputs"][0]["distinct"]["pairs"] > 1000
    assert _strip(leakmatch.size(path)) == theirs
    key = leakmatch.Key.load(keyfile)
    cli_filter = d / "cli.lmf"
    if not cli_filter.exists():
        cli("build", "--key", keyfile, "--capacity", 40000, "-o", cli_filter, csv)
    ours = d / f"{name}.lmf"
    leakmatch.build(path, key, ours, capacity=40000)
    assert ours.read_bytes() == cli_filter.read_bytes(), f"{name}: the filter differs from the CSV's"
    m_cli = cli_json(cli("match", "--json", "--key", keyfile, "--filter", cli_filter, csv))
    m_py = leakmatch.match(path, key, cli_filter)
    assert m_py["kinds"] == m_cli["kinds"]
    assert m_py["kinds"]["pair"]["distinct_matched"] > 1000


def test_brotli_parquet_is_an_input_error_naming_the_file(same_rows):
    d, _, _, table = same_rows
    path = d / "brotli.parquet"
    pq.write_table(table, path, compression="brotli")
    with pytest.raises(leakmatch.InputError) as e:
        leakmatch.size(path)
    assert str(path) in str(e.value)
    assert "brotli" in str(e.value).lower()


@pytest.mark.parametrize("name", ["zstd.parquet", "lz4.feather"])
def test_truncated_table_is_an_input_error_naming_the_file(same_rows, name):
    d, _, _, table = same_rows
    whole = d / f"whole.{name}"
    dict(VARIANTS)[name](table, whole)
    data = whole.read_bytes()
    for cut in (len(data) // 2, len(data) - 3, 40):
        path = d / f"cut{cut}.{name}"
        path.write_bytes(data[:cut])
        with pytest.raises(leakmatch.InputError) as e:
            leakmatch.size(path)
        text = str(e.value)
        assert str(path) in text
        assert not any(len(run) >= 10 for run in "".join(c if c.isdigit() else " " for c in text).split())


def test_garbled_lz4_pages_are_an_input_error(same_rows):
    d, _, _, table = same_rows
    whole = d / "g.lz4.parquet"
    pq.write_table(table, whole, compression="lz4", row_group_size=2500)
    data = bytearray(whole.read_bytes())
    for i in range(200, len(data) // 2, 7):
        data[i] ^= 0x5A
    path = d / "garbled.lz4.parquet"
    path.write_bytes(bytes(data))
    with pytest.raises(leakmatch.InputError) as e:
        leakmatch.size(path)
    assert str(path) in str(e.value)


def test_arrow_table_from_polars_reads_as_csv(tmp_path, cli):
    """A notebook's frame written with Polars (zstd Parquet, its default) sizes as its CSV."""
    pl = pytest.importorskip("polars")
    df = pl.DataFrame({
        "msisdn": ["0300-1234567", "+92 345 7654321", None, "9.23E+11", "03211112222"],
        "cnic": ["35202-1234567-1", None, "4210112345671", "3.52021E+12", "61101-1111111-1"],
        "imsi": pa.array([410011234567890, None, 1, 2, 3], pa.int64()).to_pylist(),
    })
    df.write_parquet(tmp_path / "f.parquet")
    df.write_csv(tmp_path / "f.csv")
    assert _strip(leakmatch.size(tmp_path / "f.parquet")) == _strip(
        cli_json(cli("size", "--json", tmp_path / "f.csv")))
