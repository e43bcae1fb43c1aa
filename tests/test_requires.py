"""The rule of tests/_requires.py: under `make test` a missing dependency fails a test, elsewhere it
skips; and `make test` really turns the rule on."""

import shlex
import shutil
import subprocess
import sys

import pytest

from tests import _requires
from tests._requires import require, unavailable

NEEDS = ("torch", "mpi", "chromium", "proxy")


@pytest.fixture
def plain(monkeypatch):
    """Neither the switch nor CI: a laptop's plain `pytest`."""
    monkeypatch.delenv(_requires.SWITCH, raising=False)
    monkeypatch.delenv("CI", raising=False)
    return monkeypatch


def _make_test_commands():
    make = shutil.which("make")
    if make is None:
        unavailable("GNU make is not installed")
    done = subprocess.run([make, "-n", "test"], cwd=_requires.REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if " -m pytest" in line]


def test_make_test_runs_pytest_with_the_switch_on():
    """What `make test` would run (make's own dry run, variables expanded), not a grep of the file."""
    commands = _make_test_commands()
    assert len(commands) == 1, commands
    words = shlex.split(commands[0].split(";")[0])
    assert words[0] == f"{_requires.SWITCH}=1" and words[2:4] == ["-m", "pytest"], words


def test_under_make_test_everything_make_test_installs_is_there():
    """Skips on a laptop that lacks one; fails under `make test` (which installs all four)."""
    for name in NEEDS:
        assert require(name) is not None


@pytest.mark.parametrize("switch, ci, fails", [
    ("1", None, True), (None, "true", True), ("1", "0", True),
    (None, None, False), ("0", None, False), ("", "false", False), ("no", "no", False)])
def test_the_switch_or_ci_turns_a_skip_into_a_failure(plain, switch, ci, fails):
    for name, value in ((_requires.SWITCH, switch), ("CI", ci)):
        if value is not None:
            plain.setenv(name, value)
    outcome = pytest.fail.Exception if fails else pytest.skip.Exception
    with pytest.raises(outcome, match="the thing is missing") as caught:
        unavailable("the thing is missing")
    assert (_requires.SWITCH in str(caught.value)) == fails


def _missing_everything(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "torch", None)            # `import torch` fails
    monkeypatch.setitem(sys.modules, "trustme", None)
    monkeypatch.setattr(_requires, "MPIEXEC", tmp_path / "mpiexec")
    monkeypatch.setattr(_requires, "CHROMIUM", str(tmp_path / "chromium"))
    monkeypatch.setattr(_requires, "PROXY", tmp_path / "configurable-http-proxy")


@pytest.mark.parametrize("name, reason", [
    ("torch", "torch is not importable"), ("mpi", "mpiexec is missing"),
    ("chromium", "Chromium not found at"), ("proxy", "configurable-http-proxy is missing"),
    ("trustme", "trustme is not importable")])
def test_each_dependency_missing_skips_on_a_laptop_and_fails_under_make_test(plain, tmp_path, name, reason):
    _missing_everything(plain, tmp_path)
    with pytest.raises(pytest.skip.Exception, match=reason):
        require(name)
    plain.setenv(_requires.SWITCH, "1")
    with pytest.raises(pytest.fail.Exception, match=reason):
        require(name)


def test_present_dependencies_are_returned(tmp_path, monkeypatch):
    fake = tmp_path / "tool"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setattr(_requires, "CHROMIUM", str(fake))
    monkeypatch.setattr(_requires, "PROXY", fake)
    assert require("chromium") == str(fake) and require("proxy") == str(fake)
    fake.chmod(0o644)                                         # there, but not executable: missing
    monkeypatch.setenv(_requires.SWITCH, "1")
    with pytest.raises(pytest.fail.Exception, match="is missing"):
        require("proxy")


def test_an_unknown_name_is_an_error_not_a_skip():
    with pytest.raises(ValueError, match=r"'name' must be one of \['chromium', 'mpi', 'proxy', 'torch', 'trustme'\], "
                                         r"but got 'pytorch'"):
        require("pytorch")
