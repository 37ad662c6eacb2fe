"""The CLI's bad-input classes raise LeakmatchErrors with the CLI's messages and statuses."""

import gzip
import os

import pytest

import leakmatch

IDENTIFIER = "03001234567"


def cli_error(cli, *args):
    out = cli(*args, check=False)
    assert out.returncode != 0
    return out.returncode, out.stderr.strip().removeprefix("error: ")


def check(exc, status, cli_message=None):
    assert exc.value.exit_status == status
    assert IDENTIFIER not in str(exc.value) and "923001234567" not in str(exc.value)
    if cli_message is not None:
        assert str(exc.value) in cli_message or cli_message.startswith(str(exc.value))


def test_missing_path_and_directory(cli, tmp_path):
    for path in [tmp_path / "nope.csv", tmp_path]:
        status, message = cli_error(cli, "size", path)
        with pytest.raises(leakmatch.InputError) as e:
            leakmatch.size([path])
        check(e, status, message)


def test_empty_and_binary_inputs_build_no_filter(cli, keyfile, tmp_path):
    key = leakmatch.Key.load(keyfile)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    elf = tmp_path / "a.out"
    elf.write_bytes(b"\x7fELF" + bytes(range(256)) * 64)
    for path in [empty, elf]:
        status, message = cli_error(cli, "build", "--key", keyfile, "-o", tmp_path / "x.lmf", path)
        with pytest.raises(leakmatch.LeakmatchError) as e:
            leakmatch.build([path], key, tmp_path / "x.lmf")
        check(e, status, message)
        assert not (tmp_path / "x.lmf").exists()


def test_truncated_gz(cli, tmp_path):
    text = "msisdn\n" + f"{IDENTIFIER}\n" * 100000
    whole = gzip.compress(text.encode())
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    status, message = cli_error(cli, "size", cut)
    with pytest.raises(leakmatch.InputError) as e:
        leakmatch.size([cut])
    check(e, status, message)
    assert leakmatch.size([cut], allow_truncated=True)["inputs"][0]["records"] > 0


def test_corrupt_forged_and_wrong_key_filters(cli, keyfile, tmp_path):
    key = leakmatch.Key.load(keyfile)
    b = leakmatch.FilterBuilder(key, 1000, kinds="msisdn")
    b.add(msisdn=[IDENTIFIER])
    b.write(tmp_path / "f.lmf")
    data = bytearray((tmp_path / "f.lmf").read_bytes())
    data[len(data) // 2] ^= 0x40
    (tmp_path / "bad.lmf").write_bytes(bytes(data))
    (tmp_path / "short.lmf").write_bytes(bytes(data[: len(data) // 3]))
    base = tmp_path / "base.csv"
    base.write_text(f"msisdn\n{IDENTIFIER}\n")
    for name in ["bad.lmf", "short.lmf"]:
        status, message = cli_error(cli, "match", "--key", keyfile, "--filter", tmp_path / name, base)
        assert status == 3
        with pytest.raises(leakmatch.ArtifactError) as e:
            leakmatch.match([base], key, tmp_path / name)
        check(e, status, message)
        with pytest.raises(leakmatch.ArtifactError):
            leakmatch.Filter.open(tmp_path / name)
    other = tmp_path / "other.key"
    cli("keygen", "--output", other)
    status, message = cli_error(cli, "match", "--key", other, "--filter", tmp_path / "f.lmf", base)
    with pytest.raises(leakmatch.ArtifactError) as e:
        leakmatch.match([base], leakmatch.Key.load(other), tmp_path / "f.lmf")
    check(e, status, message)


def test_key_file_problems(cli, keyfile, tmp_path):
    loose = tmp_path / "loose.key"
    loose.write_bytes(open(keyfile, "rb").read())
    os.chmod(loose, 0o644)
    with pytest.raises(leakmatch.InputError) as e:
        leakmatch.Key.load(loose)
    assert "chmod 600" in str(e.value)
    assert leakmatch.Key.load(loose, allow_insecure=True).id == leakmatch.Key.load(keyfile).id
    garbage = tmp_path / "garbage.key"
    garbage.write_text("not a key\n")
    os.chmod(garbage, 0o600)
    with pytest.raises(leakmatch.InputError):
        leakmatch.Key.load(garbage)
    with pytest.raises(leakmatch.InputError):
        leakmatch.Key.load(keyfile).save(keyfile)  # never replaced


def test_bad_options_are_usage_errors(dumps, keyfile, tmp_path):
    dump, _ = dumps
    key = leakmatch.Key.load(keyfile)
    for call in [
        lambda: leakmatch.size([dump], format="xml"),
        lambda: leakmatch.size([dump], memory="lots"),
        lambda: leakmatch.size([dump], overlap=True),
        lambda: leakmatch.size([dump], msisdn_cols=[0]),
        lambda: leakmatch.size([]),
        lambda: leakmatch.build([dump], key, tmp_path / "x.lmf", fpr=1.5),
        lambda: leakmatch.build([dump], key, tmp_path / "x.lmf", kinds="imei"),
        lambda: leakmatch.FilterBuilder(key, 100, fpr=0),
        lambda: leakmatch.FilterBuilder(key, 100).add(msisdn=["1"], cnic=["1", "2"]),
    ]:
        with pytest.raises(leakmatch.UsageError) as e:
            call()
        assert isinstance(e.value, ValueError) and e.value.exit_status == 2
