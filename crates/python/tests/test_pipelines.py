"""size / build / match and FilterBuilder against the CLI on generated dumps."""

import csv
import os

import pyarrow as pa
import pytest

import leakmatch
from conftest import cli_json


def test_size_equals_cli(cli, dumps):
    dump, base = dumps
    ours = leakmatch.size([dump, base], overlap=True)
    theirs = cli_json(cli("size", "--json", "--overlap", dump, base))
    assert ours == theirs
    assert ours["inputs"][0]["distinct"]["msisdn"] > 0


def test_build_and_match_equal_cli(cli, dumps, keyfile, tmp_path):
    dump, base = dumps
    key = leakmatch.Key.load(keyfile)
    theirs = cli_json(cli("build", "--json", "--key", keyfile, "-o", tmp_path / "cli.lmf", dump))
    ours = leakmatch.build([dump], key, tmp_path / "py.lmf")
    assert (tmp_path / "cli.lmf").read_bytes() == (tmp_path / "py.lmf").read_bytes()
    theirs.pop("filter"), ours.pop("filter")
    # Pair-only: the library's policy says a key holder can recover nothing by enumeration.
    assert theirs.pop("key_holder_can_recover") == []
    assert ours.pop("key_holder_can_recover") == []
    assert ours == theirs
    m_cli = cli_json(cli("match", "--json", "--key", keyfile, "--filter", tmp_path / "cli.lmf", base))
    m_py = leakmatch.match([base], key, tmp_path / "cli.lmf")
    assert m_py == m_cli
    assert m_py["kinds"]["pair"]["distinct_matched"] > 0


def _rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_builder_bytes_equal_cli_build(cli, keyfile, tmp_path):
    # A clean CSV of messy renderings, one MSISDN and one CNIC column.
    msisdns = ["0300-1234567", "+92 345 7654321", "9.23E+11", "", "03211112222", "junk"] * 500
    cnics = ["35202-1234567-1", "", "4210112345671", "61101-1111111-1", "", "x"] * 500
    msisdns += [f"0300{i:07d}" for i in range(3000)]
    cnics += [f"35202{i:07d}1" for i in range(3000)]
    dump = tmp_path / "rows.csv"
    with open(dump, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["msisdn", "cnic"])
        w.writerows(zip(msisdns, cnics))
    cli("build", "--key", keyfile, "--capacity", 20000, "--fpr", "1e-5", "--kinds", "msisdn,cnic,pair",
        "-o", tmp_path / "cli.lmf", dump)
    key = leakmatch.Key.load(keyfile)
    half = len(msisdns) // 2
    a = leakmatch.FilterBuilder(key, 20000, fpr=1e-5, kinds=["msisdn", "cnic", "pair"])
    b = leakmatch.FilterBuilder(key, 20000, fpr=1e-5, kinds=["msisdn", "cnic", "pair"])
    a.add(msisdn=pa.array(msisdns[:half]), cnic=pa.array(cnics[:half]))
    b.add(msisdn=msisdns[half:], cnic=cnics[half:])
    a.merge(b)
    summary = a.write(tmp_path / "py.lmf")
    assert (tmp_path / "py.lmf").read_bytes() == (tmp_path / "cli.lmf").read_bytes()
    assert summary["tokens_inserted"] == leakmatch.Filter.open(tmp_path / "cli.lmf", key).inspect()["tokens_inserted"]
    with pytest.raises(leakmatch.UsageError):
        a.add(msisdn=["03001234567"])  # written: spent


def test_filter_contains_and_inspect(cli, keyfile, tmp_path):
    key = leakmatch.Key.load(keyfile)
    b = leakmatch.FilterBuilder(key, 1000, kinds="msisdn,cnic,pair")
    b.add(msisdn=["0300-1234567"], cnic=["35202-1234567-1"])
    b.write(tmp_path / "f.lmf")
    f = leakmatch.Filter.open(tmp_path / "f.lmf", key)
    assert f.contains("msisdn", ["923001234567", "03451234567", "nope"]) == [True, False, None]
    assert f.contains("cnic", ["3520212345671"]) == [True]
    assert f.contains("pair", ["03001234567"], ["3520212345671"]) == [True]
    info = f.inspect()
    theirs = cli_json(cli("inspect", "--json", "--key", keyfile, tmp_path / "f.lmf"))
    assert info == {k: v for k, v in theirs.items() if k in info}
    assert info["authenticated"] and len(info) >= 18
    unauthenticated = leakmatch.Filter.open(tmp_path / "f.lmf").inspect()
    assert unauthenticated["authenticated"] is False
    assert unauthenticated == {k: v for k, v in cli_json(cli("inspect", "--json", tmp_path / "f.lmf")).items() if k in info}
    assert key.id == f.key_id and key.id in repr(key)
    with pytest.raises(leakmatch.UsageError):
        leakmatch.Filter.open(tmp_path / "f.lmf").contains("msisdn", ["923001234567"])


def test_pair_only_by_default(keyfile, tmp_path, dumps):
    key = leakmatch.Key.load(keyfile)
    b = leakmatch.FilterBuilder(key, 1000)
    b.add(msisdn=["0300-1234567", "03001112222"], cnic=["35202-1234567-1", None])
    assert b.counts == {"msisdn": 0, "cnic": 0, "pair": 1}
    only_msisdns = tmp_path / "m.csv"
    only_msisdns.write_text("msisdn\n03001234567\n")
    with pytest.raises(leakmatch.InputError, match="pair-only"):
        leakmatch.build([only_msisdns], key, tmp_path / "m.lmf")


def test_key_never_exposes_bytes(tmp_path, keyfile):
    key = leakmatch.Key.load(keyfile)
    secret = open(keyfile).read().split()[-1]
    assert secret not in repr(key) and secret not in str(dir(key._key))
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(key)
    key.save(tmp_path / "copy.key")
    assert os.stat(tmp_path / "copy.key").st_mode & 0o777 == 0o600
    assert leakmatch.Key.load(tmp_path / "copy.key").id == key.id


def test_build_says_what_a_key_holder_can_recover(cli, dumps, keyfile, tmp_path):
    dump, _ = dumps
    key = leakmatch.Key.load(keyfile)
    ours = leakmatch.build([dump], key, tmp_path / "all.lmf", kinds="msisdn,cnic,pair")
    theirs = cli_json(cli("build", "--json", "--kinds", "msisdn,cnic,pair", "--key", keyfile,
                          "-o", tmp_path / "cli.lmf", dump))
    lines = ours["key_holder_can_recover"]
    assert [line.split(" ")[0] for line in lines] == ["msisdn", "cnic"]
    assert "core-seconds" in lines[0] and "pair tokens only" in lines[0]
    # The same policy, phrased with the CLI's flag there.
    assert [l.replace("build pair tokens only", "build with --kinds pair") for l in lines] == \
        theirs["key_holder_can_recover"]
