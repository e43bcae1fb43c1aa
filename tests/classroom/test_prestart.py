"""classroom.prestart against a real hub on 127.0.0.1: servers ready with the labs before the bell.

One classroom for the module (conftest's ``classroom``); the second test kills its hub.
"""

import asyncio
import os
import pwd
import signal
import threading
import time
from pathlib import Path

import pytest

from classroom.env_vars import MARKER
from classroom.prestart import PrestartReport, prestart

ROOT = os.geteuid() == 0
TARGET = "sporelab-notebooks"


def home_of(room, name):
    if ROOT:
        return Path(pwd.getpwnam(room.prefix + name).pw_dir)
    return room.state / "homes" / name


def first_lab(upstream):
    return sorted(p.relative_to(upstream) for p in (upstream / "labs").rglob("*.ipynb"))[0]


def run_prestart(room, names, **kwargs):
    return asyncio.run(prestart(f"{room.url}/hub/api", room.secrets["admin_token"], names,
                                repo=room.repo, **kwargs))


def server_pids(room):
    """PID of every running server the hub knows, by student name."""
    users = room.api("GET", "/users?state=ready")
    pids = {}
    for user in users if isinstance(users, list) else users.get("items", []):
        detail = room.api("GET", f"/users/{user['name']}")
        server = detail.get("servers", {}).get("")
        if server and server.get("ready"):
            pids[user["name"]] = server["state"]["pid"]
    return pids


def students_processes(room, names):
    """The classroom's processes carrying one of ``names`` as JUPYTERHUB_USER, by name."""
    import psutil
    found = {}
    for proc in room.processes():
        try:
            user = proc.environ().get("JUPYTERHUB_USER")
        except psutil.Error:
            continue
        if user in names:
            found.setdefault(user, []).append(proc.pid)
    return found


def test_prestart_readies_every_student_with_the_labs(classroom):
    room, upstream = classroom
    names = ["pam", "pia", "pol"]
    calls = []
    report = run_prestart(room, names, concurrency=2, timeout=300,
                          progress=lambda r, name, error: calls.append((name, error, len(r.ready))))
    assert sorted(report.ready) == names and report.failed == {}
    assert report.summary() == "prestart: 3/3 ready, 0 failed"
    assert sorted(c[0] for c in calls) == names and [c[2] for c in calls] == [1, 2, 3]
    assert all(c[1] is None for c in calls)
    lab = first_lab(upstream)
    pids = server_pids(room)
    for name in names:
        notebook = home_of(room, name) / TARGET / lab
        assert notebook.read_bytes() == (upstream / lab).read_bytes()
        if ROOT:      # pulled by the student's own server, as the student
            assert notebook.stat().st_uid == pwd.getpwnam(room.prefix + name).pw_uid
        assert name in pids
    # Idempotent: a second run starts nothing new and pulls again.
    again = run_prestart(room, names, concurrency=3, timeout=300)
    assert sorted(again.ready) == names and server_pids(room) == pids


def test_prestart_reports_a_failure_by_name_and_why(classroom):
    room, _ = classroom
    report = asyncio.run(prestart(f"{room.url}/hub/api", room.secrets["admin_token"], ["Bad Name"],
                                  concurrency=1, timeout=30))
    assert report.ready == [] and list(report.failed) == ["Bad Name"]
    assert report.failed["Bad Name"].startswith("POST /users/Bad Name: 400")
    assert room.secrets["admin_token"] not in report.summary()


def test_prestart_checks_its_arguments():
    with pytest.raises(TypeError, match="names must be a list"):
        asyncio.run(prestart("http://127.0.0.1:9/hub/api", "t", "ann"))
    with pytest.raises(ValueError, match="names must be unique"):
        asyncio.run(prestart("http://127.0.0.1:9/hub/api", "t", ["ann", "ann"]))
    with pytest.raises(ValueError, match="concurrency must be an int >= 1, got 0"):
        asyncio.run(prestart("http://127.0.0.1:9/hub/api", "t", ["ann"], 0))
    assert PrestartReport(total=1, ready=["ann"]).summary() == "prestart: 1/1 ready, 0 failed"


def test_hub_sigkill_during_prestart_leaves_no_orphan_and_a_restart_finishes(classroom):
    room, upstream = classroom
    names = ["kai", "kim", "kit", "kip"]
    result = {}
    worker = threading.Thread(target=lambda: result.update(
        report=run_prestart(room, names, concurrency=2, timeout=400)))
    worker.start()
    deadline = time.monotonic() + 120
    while not students_processes(room, names) and time.monotonic() < deadline:
        time.sleep(0.1)                     # a server is being started: kill the hub now
    assert students_processes(room, names), "prestart started no server within 120 s"
    os.kill(room.hub.pid, signal.SIGKILL)
    room.hub.wait(30)
    time.sleep(2)
    room.start_hub(timeout=120)
    worker.join(450)
    assert not worker.is_alive(), "prestart did not finish after the hub restarted"
    report = result["report"]
    assert sorted(report.ready) == sorted(names) and report.failed == {}
    pids = server_pids(room)
    lab = first_lab(upstream)
    for name, found in students_processes(room, names).items():
        assert found == [pids[name]], f"{name}: processes {found}, the hub's server {pids[name]}"
    for name in names:
        assert (home_of(room, name) / TARGET / lab).is_file()
    # No process of the class outside the hub's knowledge: proxy, hub, culler and known servers.
    known = set(pids.values()) | {room.hub.pid, room.proxy.pid, room.culler.pid}
    stray = [p.pid for p in room.processes() if p.pid not in known
             and not any(a.pid in known for a in p.parents())]
    assert stray == []
    assert all(p.environ().get(MARKER) == room.settings["classroom_id"] for p in room.processes())
