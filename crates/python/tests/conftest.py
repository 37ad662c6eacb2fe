"""Shared fixtures: the CLI binary, generated dumps, keys."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _cli() -> str:
    given = os.environ.get("LEAKMATCH_BIN")
    if given:
        return given
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "leakmatch"
        if p.exists():
            return str(p)
    subprocess.run(["cargo", "build", "-q", "-p", "leakmatch"], cwd=ROOT, check=True)
    return str(ROOT / "target" / "debug" / "leakmatch")


@pytest.fixture(scope="session")
def cli():
    """Runs the CLI; returns (exit status, stdout, stderr)."""
    binary = _cli()

    def run(*args, env=None, check=True):
        e = dict(os.environ, **(env or {}))
        out = subprocess.run([binary, *map(str, args)], capture_output=True, text=True, env=e)
        if check and out.returncode != 0:
            raise AssertionError(f"leakmatch {args} exited {out.returncode}: {out.stderr}")
        return out

    return run


@pytest.fixture(scope="session")
def dumps(tmp_path_factory, cli):
    """A generated dump (CSV, 20k messy rows) and its subscriber base."""
    d = tmp_path_factory.mktemp("dumps")
    dump, base = d / "dump.csv", d / "base.csv"
    cli("gen", "--rows", 20000, "--seed", 7, "--output", dump, "--subscribers", base)
    return dump, base


@pytest.fixture(scope="session")
def keyfile(tmp_path_factory, cli):
    d = tmp_path_factory.mktemp("key")
    path = d / "k.key"
    cli("keygen", "--output", path)
    return path


def cli_json(out):
    return json.loads(out.stdout)
