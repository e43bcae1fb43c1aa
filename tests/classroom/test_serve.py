"""The classroom kit's pure parts: links, passwords, secrets, the students' environment check."""

import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from classroom import serve, student_env
from classroom.serve import Classroom, lab_links


def test_lab_links_are_nbgitpuller_links_into_the_lab():
    links = lab_links("http://127.0.0.1:8000/", "file:///srv/up/sporelab-notebooks.git", "main",
                      labs_subdir="labs", labs=["depth", "initializers"])
    assert list(links) == ["depth", "initializers"]
    assert links["depth"] == (
        "http://127.0.0.1:8000/hub/user-redirect/git-pull?repo=file%3A%2F%2F%2Fsrv%2Fup%2F"
        "sporelab-notebooks.git&branch=main&urlpath=lab%2Ftree%2Fsporelab-notebooks%2Flabs%2Fdepth.ipynb")


def test_by_default_every_lab_of_the_repository_gets_a_link():
    links = lab_links("http://h:8000", "https://github.com/OWNER/sporelab", "main")
    on_disk = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "notebooks" / "labs").glob("*.ipynb"))
    assert sorted(links) == on_disk
    assert {"convolution", "depth", "initializers", "training", "data_parallel"} <= set(links)
    assert all("urlpath=lab%2Ftree%2Fsporelab%2Fnotebooks%2Flabs%2F" in url for url in links.values())


def test_secrets_are_kept_private_and_reused(tmp_path):
    room = Classroom(tmp_path / "c", class_password="a-class-pw")
    path = tmp_path / "c" / "private" / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "c" / "private").stat().st_mode) == 0o700
    again = Classroom(tmp_path / "c")
    assert again.secrets == room.secrets and json.loads(path.read_text()) == room.secrets
    assert len(room.secrets["teacher_password"]) >= 32 and room.secrets["admin_token"] != room.secrets["proxy_token"]


@settings(max_examples=30, deadline=None)
@given(st.one_of(st.text(min_size=1, max_size=7), st.integers(), st.binary(min_size=1),
                 st.lists(st.text(), min_size=1)))
def test_a_bad_class_password_is_refused_and_nothing_is_written(tmp_path_factory, bad):
    state = tmp_path_factory.mktemp("c")
    error, got = ((ValueError, f"{len(bad)} characters") if isinstance(bad, str)
                  else (TypeError, type(bad).__name__))
    with pytest.raises(error) as caught:
        Classroom(state, class_password=bad)
    assert str(caught.value) == ("CLASSROOM_PASSWORD (the class password) must be a string of at "
                                 f"least 8 characters, got {got}")
    assert not (state / "private" / "secrets.json").exists()


def test_a_short_teacher_password_or_the_class_password_for_the_teacher_is_refused(tmp_path):
    with pytest.raises(ValueError, match="CLASSROOM_TEACHER_PASSWORD must be a string of at least 32 "
                                         "characters, got 5 characters"):
        Classroom(tmp_path / "a", teacher_password="short")
    same = "x" * 40
    with pytest.raises(ValueError, match="the teacher's password must differ from the class password"):
        Classroom(tmp_path / "b", class_password=same, teacher_password=same)


def test_a_local_upstream_is_listed_as_safe_for_git_in_a_public_file(tmp_path):
    room = Classroom(tmp_path / "c", repo="file:///srv/up/notebooks")
    config = (tmp_path / "c" / "public" / "gitconfig").read_text()
    assert "\tdirectory = /srv/up/notebooks\n\tdirectory = /srv/up/notebooks/.git\n" in config
    assert room.settings["git_config"].endswith("public/gitconfig")
    assert Classroom(tmp_path / "d", repo="https://github.com/OWNER/sporelab").settings["git_config"] == ""


def test_readable_by_all_follows_every_folder_above(tmp_path):
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    target = inner / "f"
    target.write_text("x")
    for folder in (tmp_path, tmp_path / "a", inner):
        os.chmod(folder, 0o755)
    os.chmod(target, 0o644)
    expected = all(os.stat(p).st_mode & stat.S_IXOTH for p in tmp_path.parents)
    assert student_env.readable_by_all(target) is expected
    os.chmod(tmp_path / "a", 0o700)
    assert student_env.readable_by_all(target) is False


def test_the_proxy_is_pinned():
    package = json.loads((serve.HERE / "package.json").read_text())
    assert package["dependencies"] == {"configurable-http-proxy": "5.3.0"}


def test_without_root_the_banner_says_there_is_no_isolation(tmp_path, monkeypatch):
    room = Classroom(tmp_path / "c", class_password="a-class-pw", workshop=True)
    links = lab_links(room.url, "https://github.com/OWNER/sporelab", "main", labs=["depth"])
    monkeypatch.setattr(serve.os, "geteuid", lambda: 1000)
    text = serve._banner(room, links)
    assert "NO ISOLATION: not run as root, so every student's server runs as this user" in text
    assert "class password: a-class-pw" in text and links["depth"] in text
    assert serve.WORKSHOP_WARNING in text
    monkeypatch.setattr(serve.os, "geteuid", lambda: 0)
    assert "isolation: each student gets a system user 'jupyter-<name>' with a private home (0700)" \
        in serve._banner(room, links)


def test_make_classroom_prints_the_class_and_stops_cleanly_on_ctrl_c(tmp_path, kit):
    """serve.py as `make classroom` runs it: the banner, then SIGINT stops every process."""
    import signal
    import subprocess
    import sys
    import time

    import psutil

    free_port = kit
    port = free_port()
    env = {**os.environ, "CLASSROOM_PASSWORD": "ctrl-c-class"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "classroom.serve", "--port", str(port), "--state", str(tmp_path / "s"),
         "--hub-port", str(free_port()), "--proxy-api-port", str(free_port()),
         "--user-prefix", "sporelab-test-cc-", "--repo", "https://github.com/OWNER/sporelab",
         "--branch", "main", "--workshop"], cwd=serve.REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, deadline = [], time.monotonic() + 120
    try:
        while time.monotonic() < deadline and not any(line.startswith("Ctrl-C") for line in lines):
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            lines.append(line)
        children = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = "".join(lines)
    assert f"sporelab classroom at http://127.0.0.1:{port}/" in text, text
    assert "class password: ctrl-c-class" in text
    assert text.count("WARNING: WORKSHOP=1: one shared class password, and any name. Anyone with the "
                      "password can be anyone") == 2        # at start (stderr) and in the banner
    assert "initializers: http://127.0.0.1:" in text and "urlpath=lab%2Ftree%2Fsporelab%2Fnotebooks" in text
    assert len(children) >= 3                                 # proxy, hub, culler
    assert proc.returncode == 0 and rest.strip().endswith("stopped."), rest
    time.sleep(1)
    assert [c.pid for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE] == []


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["hub_url", "repo", "branch", "labs_subdir"]),
       st.one_of(st.none(), st.just(""), st.integers(), st.binary()))
def test_lab_links_refuse_a_bad_argument(name, bad):
    args = {"hub_url": "http://h:8000", "repo": "https://github.com/OWNER/sporelab", "branch": "main",
            "labs_subdir": "notebooks/labs"}
    args[name] = bad
    with pytest.raises(TypeError) as caught:
        lab_links(**args, labs=["depth"])
    assert str(caught.value) == f"lab_links: {name} must be a non-empty string, got {bad!r}"


@settings(max_examples=30, deadline=None)
@given(st.one_of(st.integers(max_value=0), st.integers(min_value=65536), st.text(max_size=5),
                 st.floats(allow_nan=False), st.booleans()))
def test_a_bad_port_is_refused_before_anything_is_written(tmp_path_factory, bad):
    state = tmp_path_factory.mktemp("p") / "c"
    with pytest.raises((TypeError, ValueError)) as caught:
        Classroom(state, port=bad)
    if isinstance(bad, int) and not isinstance(bad, bool):
        assert str(caught.value) == f"port must be a TCP port in 1..65535, got {bad}"
    else:
        assert str(caught.value) == f"port must be an int (a TCP port), got {type(bad).__name__}"
    assert not state.exists()
