"""Binder (repo2docker) configuration: binder/ alone must give students a working JupyterLab.

repo2docker reads only binder/: it pip-installs binder/requirements.txt from the repository root
(its last line `.` installs sporelab itself), then runs binder/postBuild with the environment's
bin/ first on PATH. The slow test below does the same in a fresh venv, checks the JupyterLab
settings overrides landed where JupyterLab reads them, and runs every notebook under strict nbval
inside that venv. The test tools are installed only after the student's environment is checked:
they are not part of it.
"""

from __future__ import annotations

import fnmatch
import importlib.metadata
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"
NOTEBOOKS = REPO / "notebooks"
SANITIZE = NOTEBOOKS / "nbval_sanitize.cfg"

# What a student needs at runtime; nothing for tests.
RUNTIME_NEEDS = {"numpy", "threadpoolctl", "jupyterlab", "notebook", "ipywidgets", "anywidget", "matplotlib",
                 "mpi4py", "mpich", "ipyparallel"}    # the last three: issue 10's data-parallel lab
TEST_ONLY = {"pytest", "nbval", "hypothesis", "playwright", "torch", "cupy-cuda12x", "cupy-cuda13x"}

NEWS_PLUGIN = "@jupyterlab/apputils-extension:notification"
WIDGET_EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "anywidget")


def _requirement_lines() -> list[str]:
    lines = (BINDER / "requirements.txt").read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def _pins() -> dict[str, Requirement]:
    return {canonicalize_name(r.name): r for r in map(Requirement, _requirement_lines()[:-1])}


def _notebooks(root: Path) -> list[Path]:
    return sorted(
        p for p in (root / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )


# ----------------------------------------------------------------------------- static, fast


def test_requirements_pin_the_runtime_needs_and_end_with_the_project():
    lines = _requirement_lines()
    assert lines and lines[-1] == ".", "binder/requirements.txt must end with a line `.`"
    pins = _pins()
    for req in pins.values():
        spec = list(req.specifier)
        assert len(spec) == 1 and spec[0].operator == "==", f"{req} is not an exact pin"
    assert set(pins) == {canonicalize_name(n) for n in RUNTIME_NEEDS}
    assert not set(pins) & {canonicalize_name(n) for n in TEST_ONLY}


def test_pins_satisfy_the_project_requirements():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["lab"]]
    pins = _pins()
    for text in wanted:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        assert name in pins, f"binder/requirements.txt does not pin {req.name}"
        version = next(iter(pins[name].specifier)).version
        assert req.specifier.contains(version, prereleases=True), (
            f"binder pins {req.name}=={version}, pyproject wants {req}"
        )


def test_runtime_and_post_build_are_what_repo2docker_expects():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable"
    text = post_build.read_text()
    assert text.startswith("#!"), "binder/postBuild needs a shebang"
    assert re.search(r"^set -euo pipefail$", text, re.M)
    overrides = json.loads((BINDER / "overrides.json").read_text())
    assert overrides[NEWS_PLUGIN]["fetchNews"] == "false"


def test_readme_binder_badge_opens_a_lab_notebook_in_jupyterlab():
    readme = (REPO / "README.md").read_text()
    badge = re.search(
        r"\[!\[[^\]]*\]\(https://mybinder\.org/badge_logo\.svg\)\]"
        r"\((https://mybinder\.org/v2/gh/[^)\s]+)\)",
        readme,
    )
    assert badge, "README.md has no Binder badge"
    target = re.search(r"[?&]urlpath=lab/tree/([^&#]+\.ipynb)(?:[&#]|$)", badge.group(1))
    assert target, f"the Binder badge does not open a notebook in JupyterLab: {badge.group(1)}"
    path = urllib.parse.unquote(target.group(1))
    assert path.startswith("notebooks/labs/"), f"the badge should open a lab notebook, not {path}"
    assert (REPO / path).is_file(), f"the Binder badge opens {path}, which does not exist"


# ----------------------------------------------------------------------------- the real build


def _ignored(root: Path):
    patterns = [".git"]
    gitignore = root / ".gitignore"
    if gitignore.exists():
        for line in gitignore.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "!")):
                patterns.append(line.strip("/"))

    def ignore(directory: str, names: list[str]) -> set[str]:
        return {n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)}

    return ignore


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: float) -> str:
    try:
        proc = subprocess.run(
            [str(c) for c in cmd],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout if isinstance(exc.stdout, str) else (exc.stdout or b"").decode(errors="replace")
        pytest.fail(f"timed out after {timeout:.0f} s: {' '.join(map(str, cmd))}\n{out[-6000:]}")
    if proc.returncode != 0:
        pytest.fail(
            f"exit {proc.returncode}: {' '.join(map(str, cmd))}\n{proc.stdout[-6000:]}",
            pytrace=False,
        )
    return proc.stdout


def _environment_of(venv: Path, scratch: Path) -> dict[str, str]:
    """The variables a process in `venv` sees: its bin/ first, nothing from the outer venv."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "JUPYTER", "PYTHON", "CONDA", "PIP_REQUIRE"))
        and k not in {"VIRTUAL_ENV", "NB_PYTHON_PREFIX", "KERNEL_PYTHON_PREFIX", "MPLBACKEND"}
    }
    outer_bin = str(Path(sys.prefix) / "bin")
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != outer_bin]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    env["VIRTUAL_ENV"] = str(venv)
    env["PYTHONNOUSERSITE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    for var, sub in [
        ("JUPYTER_CONFIG_DIR", "jupyter-config"),
        ("JUPYTER_DATA_DIR", "jupyter-data"),
        ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
        ("IPYTHONDIR", "ipython"),
        ("MPLCONFIGDIR", "matplotlib"),
    ]:
        env[var] = str(scratch / sub)
    return env


def _lab_settings_schema(venv: Path, root: Path, env: dict[str, str], scratch: Path, plugin: str):
    """Start that venv's JupyterLab on 127.0.0.1 and read a plugin's settings schema from it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    env = dict(env, JUPYTERLAB_SETTINGS_DIR=str(scratch / "lab-user-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(scratch / "lab-workspaces"))
    cmd = [str(venv / "bin" / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(scratch / "lab.log", "w+")
    server = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"JupyterLab did not start:\n{log.read()[-4000:]}", pytrace=False)
            try:
                with opener.open(f"{base}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                time.sleep(0.5)
        with opener.open(f"{base}/lab/api/settings/{plugin}?token={token}", timeout=30) as reply:
            return json.loads(reply.read())["schema"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)
        log.close()


@pytest.mark.slow
def test_binder_environment_runs_every_notebook():
    notebooks = _notebooks(REPO)
    if not notebooks:
        pytest.fail("no notebooks under notebooks/: the Binder environment has nothing to run")
    if not SANITIZE.exists():
        pytest.fail(f"{SANITIZE.relative_to(REPO)} is missing: strict nbval needs it")

    with tempfile.TemporaryDirectory(prefix="sporelab-binder-") as tmp:
        tmp = Path(tmp)
        # Install from a copy of the repository (what repo2docker copies: no .venv, no build
        # outputs), so building `.` leaves nothing behind in the working tree.
        repo = tmp / "repo"
        shutil.copytree(REPO, repo, ignore=_ignored(REPO), symlinks=True)
        venv = tmp / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
        env = _environment_of(venv, tmp)
        py = venv / "bin" / "python"

        # 1. The student's environment: binder/requirements.txt, from the repository root.
        _run([py, "-m", "pip", "install", "-q", "-r", "binder/requirements.txt"],
             cwd=repo, env=env, timeout=900)
        _run([py, "-m", "pip", "check"], cwd=repo, env=env, timeout=120)
        pinned = {name: next(iter(req.specifier)).version for name, req in _pins().items()}
        probe = (
            "import importlib.metadata as m, json, sys, sporelab\n"
            "print(json.dumps({'versions': {n: m.version(n) for n in sys.argv[1:]},"
            " 'sporelab': sporelab.__file__}))"
        )
        out = _run([py, "-c", probe, *pinned], cwd=tmp, env=env, timeout=120)
        got = json.loads(out.strip().splitlines()[-1])
        assert got["versions"] == pinned, "the venv did not get binder's pins"
        # sporelab came from `.`, installed into the venv (not a working tree on sys.path).
        assert Path(got["sporelab"]).is_relative_to(venv), got["sporelab"]

        # 2. binder/postBuild, as repo2docker runs it: from the repository root.
        _run([repo / "binder" / "postBuild"], cwd=repo, env=env, timeout=120)
        app_dir = venv / "share" / "jupyter" / "lab"
        overrides = app_dir / "settings" / "overrides.json"
        assert overrides.is_file(), f"postBuild did not write {overrides}"
        assert json.loads(overrides.read_text())[NEWS_PLUGIN]["fetchNews"] == "false"
        server_config = venv / "etc" / "jupyter" / "jupyter_server_config.py"      # no Nagle delay
        assert server_config.read_text() == (BINDER / "jupyter_server_config.py").read_text()
        # ... and the JupyterLab of that venv serves it as the setting's default: no news pop-up.
        schema = _lab_settings_schema(venv, repo, env, tmp, NEWS_PLUGIN)
        assert schema["properties"]["fetchNews"]["default"] == "false", schema["properties"]
        # The widget front-ends ship prebuilt and are enabled ("model not found" otherwise).
        extensions = _run([venv / "bin" / "jupyter", "labextension", "list"],
                          cwd=tmp, env=env, timeout=120)
        extensions = re.sub(r"\x1b\[[0-9;]*m", "", extensions)  # its colours
        for ext in WIDGET_EXTENSIONS:
            assert re.search(rf"{re.escape(ext)} v\S+ enabled\s+OK", extensions), extensions

        # matplotlib builds its font cache at its first import (MPLCONFIGDIR is fresh) and says so on
        # stderr when that takes over 5 s, as on a loaded machine: build it here, not in a notebook.
        _run([py, "-c", "import matplotlib.font_manager"], cwd=tmp, env=env, timeout=300)

        # 3. The test tools, the versions this run uses, then strict nbval inside that venv.
        tools = [f"{t}=={importlib.metadata.version(t)}" for t in ("pytest", "nbval")]
        _run([py, "-m", "pip", "install", "-q", *tools], cwd=repo, env=env, timeout=600)
        out = _run(
            [py, "-m", "pytest", "--nbval", "--nbval-current-env",
             "--nbval-sanitize-with", "notebooks/nbval_sanitize.cfg",
             "--nbval-cell-timeout=120", "-p", "no:cacheprovider", "notebooks/"],
            cwd=repo, env=env, timeout=1800,
        )
        assert re.search(r"\d+ passed", out), out[-3000:]
        ran = set(re.findall(r"^(notebooks/\S+\.ipynb) ", out, re.M))
        expected = {p.relative_to(REPO).as_posix() for p in notebooks}
        assert ran >= expected, f"nbval did not run {sorted(expected - ran)}:\n{out[-3000:]}"
