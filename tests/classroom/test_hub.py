"""A class served for real: JupyterHub + configurable-http-proxy + nbgitpuller on 127.0.0.1.

One classroom for the module (conftest.py); students go through the login form with its xsrf
field as a browser does (classroom/student_client.py). The tests run in file order and build on
each other's state (the students' homes), as a lesson does; the crash test comes last.
"""

import asyncio
import json
import os
import pwd
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

from classroom.cgroups import writable_memory_controller
from classroom.folders import student_runtime_dir
from classroom.student_client import Student

CLASS_PASSWORD = "spores-in-class"          # as in conftest.py
STUDENTS = ("ann", "ben", "cy")
TARGET = "sporelab-notebooks"               # nbgitpuller's folder: the upstream repo's name
LAB = f"{TARGET}/labs/initializers.ipynb"
LABS = {"convolution.ipynb", "depth.ipynb", "initializers.ipynb", "training.ipynb"}
ROOT = os.geteuid() == 0


def run(coro, timeout=600):
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def logged_in(room, name, pull=False):
    """A student logged in through the form, with a ready server and the Lab opened."""
    student = Student(room.url, name, CLASS_PASSWORD)
    status, _ = await student.login()
    assert status == 200, f"{name} could not log in: {status}"
    await student.wait_server(timeout=300)
    await student.open_lab()
    if pull:
        await student.pull(room.repo, "main")
    return student


def home_of(room, name):
    if ROOT:
        return Path(pwd.getpwnam(room.prefix + name).pw_dir)
    return room.state / "homes" / name


def test_three_students_log_in_pull_and_find_the_labs(classroom):
    room, _ = classroom

    async def lesson():
        students = await asyncio.gather(*(logged_in(room, n, pull=True) for n in STUDENTS))
        listings = []
        for s in students:
            _, model = await s.server_api("GET", f"/api/contents/{TARGET}/labs")
            listings.append({item["name"] for item in model["content"]})
            await s.close()
        return listings

    for name, found in zip(STUDENTS, run(lesson())):
        assert LABS <= found, f"{name}'s labs folder holds {sorted(found)}"
    for name in STUDENTS:
        server = room.api("GET", f"/users/{name}")["servers"][""]
        assert server["ready"] is True
        home = home_of(room, name)
        assert (home / LAB).is_file()
        if ROOT:           # TLJH-style: own system user, private home, files owned by the student
            owner = pwd.getpwnam(room.prefix + name)
            assert stat.S_IMODE(home.stat().st_mode) == 0o700
            assert home.stat().st_uid == owner.pw_uid
            assert (home / LAB).stat().st_uid == owner.pw_uid


def test_a_whole_lab_runs_through_the_kernel_websocket(classroom):
    room, _ = classroom

    async def lesson():
        ann = await logged_in(room, "ann")
        _, model = await ann.server_api("GET", f"/api/contents/{LAB}?content=1")
        kernel = await ann.start_kernel()
        results = []
        try:
            await kernel.execute(f"import os; os.chdir(os.path.expanduser('~/{TARGET}/labs'))")
            for cell in model["content"]["cells"]:
                if cell["cell_type"] == "code":
                    results.append((cell["source"], await kernel.execute(cell["source"], 180)))
            who = kernel.text(await kernel.execute("import getpass; print(getpass.getuser())"))
            # a control moved as the browser moves it: a comm message to the slider's model
            built = await kernel.execute("from sporelab.widgets import InitializerExplorer\n"
                                         "e = InitializerExplorer(); print(e.seed.model_id)")
            await kernel.update_widget(kernel.text(built).split()[0], {"value": 7})
            moved = kernel.text(await kernel.execute("print(e.seed.value, e.pane.renders, e.errors.value == '')"))
            protocol = kernel.v1
        finally:
            await kernel.close()
            await ann.close()
        return results, who, moved, protocol

    results, who, moved, protocol = run(lesson())
    assert protocol, "the kernel websocket did not negotiate v1.kernel.websocket.jupyter.org (JupyterLab 4's)"
    assert moved.split() == ["7", "2", "True"], moved
    assert len(results) == 9
    for source, result in results:
        assert result["status"] == "ok" and result["error"] is None, (source, result["error"])
    assert who.strip() == (room.prefix + "ann" if ROOT else pwd.getpwuid(os.geteuid()).pw_name)


def test_second_pull_keeps_the_students_edit_and_brings_the_teachers_change(classroom):
    room, upstream = classroom
    answer = "answer = 0.4714   # ann's answer"

    async def edit():
        ann = await logged_in(room, "ann")
        _, model = await ann.server_api("GET", f"/api/contents/{LAB}?content=1")
        nb = model["content"]
        exercise = next(i for i, c in enumerate(nb["cells"]) if c["source"].startswith("answer = None"))
        nb["cells"][exercise]["source"] = nb["cells"][exercise]["source"].replace(
            "answer = None   # your answer: a number", answer)
        await ann.server_api("PUT", f"/api/contents/{LAB}",
                             {"type": "notebook", "format": "json", "content": nb})
        await ann.close()
        return exercise

    exercise = run(edit())
    # The teacher changes the title cell upstream and commits.
    path = upstream / "labs" / "initializers.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"][0]["source"] = ["# Lab: initializers (updated by the teacher)\n"] + nb["cells"][0]["source"][1:]
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    subprocess.run(["git", "-C", str(upstream), "-c", "user.name=T", "-c", "user.email=t@example.org",
                    "commit", "-q", "-am", "new title"], check=True)

    async def pull_again():
        ann = await logged_in(room, "ann", pull=True)
        _, model = await ann.server_api("GET", f"/api/contents/{LAB}?content=1")
        await ann.close()
        return model["content"]["cells"]

    cells = run(pull_again())
    assert cells[0]["source"].startswith("# Lab: initializers (updated by the teacher)\n")
    assert cells[exercise]["source"].startswith(answer)


@pytest.mark.skipif(not ROOT, reason="isolation needs a hub run as root (one system user per student)")
def test_a_student_cannot_read_or_list_another_students_home(classroom):
    room, _ = classroom
    ben_home = home_of(room, "ben")

    async def snoop():
        ann = await logged_in(room, "ann")
        kernel = await ann.start_kernel()
        try:
            tries = {}
            for what, code in {
                "list": f"os.listdir({str(ben_home)!r})",
                "read": f"open({str(ben_home / LAB)!r}).read()",
            }.items():
                result = await kernel.execute(f"import os\n{code}")
                tries[what] = result["error"]
            # Through the contents API: a link from ann's home into ben's.
            await kernel.execute(f"import os; os.symlink({str(ben_home)!r}, os.path.expanduser('~/peek'))")
        finally:
            await kernel.close()
        api = {}
        for path in ("/api/contents/peek", f"/api/contents/peek/{TARGET}/labs",
                     "/api/contents/..", f"/api/contents/../{room.prefix}ben"):
            status, body = await ann.server_api("GET", path, expect=None)
            api[path] = (status, json.dumps(body))
        await ann.close()
        return tries, api

    tries, api = run(snoop())
    assert tries["list"] is not None and tries["list"][0] == "PermissionError", tries
    assert tries["read"] is not None and tries["read"][0] == "PermissionError", tries
    for path, (status, body) in api.items():
        assert status >= 400 or "initializers" not in body, (path, status, body[:200])
        assert "initializers.ipynb" not in body and TARGET not in body.replace(f"peek/{TARGET}", ""), path


def runtime_dir_of(room, name):
    """Where the classroom's spawner puts a student's runtime folder (its default root)."""
    return Path(student_runtime_dir(pwd.getpwnam(room.prefix + name).pw_uid if ROOT else name))


def test_kernels_listen_only_on_unix_sockets_in_the_students_private_runtime_folder(classroom):
    """No TCP port for another student to reach (or for twenty starting kernels to collide on)."""
    room, _ = classroom
    import psutil

    async def look():
        ann = await logged_in(room, "ann")
        kernel = await ann.start_kernel()
        try:
            seen = json.loads(kernel.text(await kernel.execute(
                "import ipykernel, json, os, sys\n"
                "info = json.load(open(ipykernel.get_connection_file()))\n"
                "print(json.dumps({'transport': info['transport'], 'ip': info['ip'], 'pid': os.getpid(),"
                " 'runtime': os.environ['JUPYTER_RUNTIME_DIR'], 'pipe': sys.stdout.pub_thread._pipe_port}))")))
            # ipykernel's own pipe for the output of forked subprocesses stays on TCP (it binds a
            # port itself, retrying, and takes only frames that carry its random id)
            listening = [c.laddr for c in psutil.Process(seen["pid"]).net_connections(kind="inet")
                         if c.status == psutil.CONN_LISTEN and c.laddr.port != seen["pipe"]]
            peek = await kernel.execute(f"import os; os.listdir({str(runtime_dir_of(room, 'ben'))!r})")
        finally:
            await kernel.close()
            await ann.close()
        return seen, listening, peek["error"]

    seen, listening, peek = run(look())
    mine = runtime_dir_of(room, "ann")
    assert seen["transport"] == "ipc" and seen["runtime"] == str(mine), seen
    assert Path(seen["ip"]).parent == mine, seen
    assert listening == [], f"the kernel listens on TCP: {listening}"
    assert mine.stat().st_mode & 0o777 == 0o700           # (Jupyter adds the sticky bit)
    if ROOT:
        assert mine.stat().st_uid == pwd.getpwnam(room.prefix + "ann").pw_uid
        assert runtime_dir_of(room, "ben").is_dir()
        assert peek is not None and peek[0] == "PermissionError", peek


def _memory_cgroup(pid):
    """(path of the memory cgroup of ``pid``, its limit file) or None when it has none of ours."""
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if "sporelab-classroom" not in path:
            continue
        if "memory" in controllers.split(","):
            return Path("/sys/fs/cgroup/memory" + path) / "memory.limit_in_bytes"
        if controllers == "":
            return Path("/sys/fs/cgroup" + path) / "memory.max"
    return None


# Skipped only for what the machine lacks (root, a writable memory controller), never for what the
# spawner did: a spawner that forgets the cgroup fails here wherever it could have made one.
@pytest.mark.skipif(not ROOT, reason="memory limits need a hub run as root (a cgroup per student)")
@pytest.mark.skipif(writable_memory_controller() is None,
                    reason="no writable memory controller on this machine: the limit is only advertised")
def test_a_runaway_kernel_meets_the_memory_limit_and_only_it_dies(classroom):
    room, _ = classroom
    server_pid = room.api("GET", "/users/ben")["servers"][""]["state"]["pid"]
    limit_file = _memory_cgroup(server_pid)
    assert limit_file is not None, ("this machine's memory controller is writable, but ben's server runs in no "
                                    "sporelab-classroom cgroup: the spawner did not apply mem_limit")
    assert int(limit_file.read_text()) == 2**30            # Spawner.mem_limit = 1G

    async def runaway():
        ben = await logged_in(room, "ben")
        kernel = await ben.start_kernel()
        import psutil
        before = {p.pid for p in psutil.Process(server_pid).children(recursive=True)}
        try:      # 100 MB at a time, up to 3 GB: the cgroup's OOM killer stops it near 1 GiB
            await kernel.execute("import numpy as np\nheap = []\nfor _ in range(30):\n"
                                 "    heap.append(np.ones(100 * 2**20 // 8))", timeout=60)
            finished = True
        except (RuntimeError, asyncio.TimeoutError):
            finished = False
        status, _ = await ben.server_api("GET", "/api/status", expect=None)
        gone = before - {p.pid for p in psutil.Process(server_pid).children(recursive=True)}
        await ben.close()
        return finished, status, gone

    finished, status, gone = run(runaway())
    assert not finished, "3 GB were allocated under a 1 GiB limit"
    assert status == 200 and len(gone) >= 1      # the server lives on; a kernel was killed


def test_a_taken_first_use_name_with_a_new_password_is_refused(classroom):
    """ann's first login set her password (first use): a new one for her name gets nothing."""
    room, _ = classroom

    async def intruder():
        eve = Student(room.url, "ann", CLASS_PASSWORD)
        status, url = await eve.login(password="eves-new-password")
        async with eve.session.get(f"{room.url}/hub/api/user") as r:
            api_status = r.status
        async with eve.session.get(f"{room.url}/user/ann/api/contents/{LAB}?content=1") as r:
            files = (r.status, await r.text())
        await eve.close()
        return status, url, api_status, files

    status, url, api_status, files = run(intruder())
    assert status == 403 and "/hub/login" in url
    assert api_status == 403
    assert "initializers" not in files[1] and (files[0] != 200 or "/hub/login" in files[1]), files[0]


def test_the_admin_token_appears_nowhere_a_student_or_a_log_can_see(classroom):
    room, _ = classroom
    secrets = [room.secrets["admin_token"], room.secrets["teacher_password"], room.secrets["proxy_token"]]

    async def kernel_env():
        ann = await logged_in(room, "ann")
        kernel = await ann.start_kernel()
        try:
            return kernel.text(await kernel.execute("import os, json; print(json.dumps(dict(os.environ)))"))
        finally:
            await kernel.close()
            await ann.close()

    env_text = run(kernel_env())
    assert "JUPYTERHUB_USER" in env_text
    # the hub's PYTHONPATH (the repository, for the spawner's package) stays with the hub
    assert "PYTHONPATH" not in json.loads(env_text)
    for token in secrets:
        assert token not in env_text
    for log in (room.private / "logs").glob("*.log"):
        text = log.read_text(errors="replace")
        assert room.secrets["admin_token"] not in text, log
    for name in STUDENTS:
        for path in home_of(room, name).rglob("*"):
            if path.is_file() and path.stat().st_size < 5_000_000:
                data = path.read_bytes()
                assert all(t.encode() not in data for t in secrets), path
    hub_pids = {p.pid for p in (room.hub, room.proxy, room.culler)}
    for proc in room.processes():
        if proc.pid in hub_pids:
            continue
        env = proc.environ()
        assert env.get("JUPYTERHUB_USER") in STUDENTS, (proc.pid, proc.cmdline())
        assert all(t not in "\n".join(env.values()) for t in secrets), proc.cmdline()


def test_the_teacher_logs_in_as_admin_with_the_teachers_password_only(classroom):
    room, _ = classroom

    async def teacher():
        outcomes = {}
        for which, password in (("class", CLASS_PASSWORD), ("teacher", room.secrets["teacher_password"])):
            t = Student(room.url, "teacher", password)
            status, _ = await t.login()
            outcomes[which] = (status, (await t.hub_user())["admin"] if status == 200 else None)
            if which == "teacher":
                async with t.session.get(f"{room.url}/hub/admin") as r:
                    outcomes["admin page"] = r.status
            await t.close()
        return outcomes

    outcomes = run(teacher())
    # The teacher's name is never free: its password is set before the hub starts.
    assert outcomes["class"] == (403, None)
    assert outcomes["teacher"] == (200, True) and outcomes["admin page"] == 200
    room.api("DELETE", "/users/teacher/server")      # the class's processes stay the students'


def test_the_idle_culler_runs_with_a_token_that_may_list_and_stop_servers(classroom):
    room, _ = classroom
    import urllib.request
    assert room.culler.poll() is None, room.log_tail("culler")
    request = urllib.request.Request(f"{room.hub_api}/users?state=active", headers={
        "Authorization": f"token {room.secrets['culler_token']}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30) as reply:
        users = json.loads(reply.read())
    assert set(STUDENTS) <= {u["name"] for u in users}
    assert all("last_activity" in u["servers"][""] for u in users if u["name"] in STUDENTS)
    hub_log = room.log_tail("hub", 100_000)
    assert "200 GET /hub/api/ (idle-culler@127.0.0.1)" in hub_log


def test_the_class_survives_a_hub_crash(classroom):
    room, _ = classroom
    import psutil

    async def crash():
        ann = await logged_in(room, "ann")
        kernel = await ann.start_kernel()
        await kernel.execute("x = 41")
        _, model = await ann.server_api("GET", f"/api/contents/{LAB}?content=1")
        nb = model["content"]
        nb["cells"][1]["source"] += "\n# autosaved before the crash"
        await ann.server_api("PUT", f"/api/contents/{LAB}",
                             {"type": "notebook", "format": "json", "content": nb})
        pids = {n: room.api("GET", f"/users/{n}")["servers"][""]["state"]["pid"] for n in STUDENTS}
        kernels = {p.pid for pid in pids.values() for p in psutil.Process(pid).children(recursive=True)}

        room.hub.send_signal(signal.SIGKILL)
        room.hub.wait(10)
        # Hub dead: the proxy still carries ann's open kernel connection.
        during = kernel.text(await kernel.execute("x += 1; print(x)"))

        await asyncio.to_thread(room.start_hub, 120)
        alive = {n: psutil.pid_exists(pid) for n, pid in pids.items()}
        kernels_alive = all(psutil.pid_exists(pid) for pid in kernels)
        # Same cookies, no new login: the hub knows ann, her server answers, her kernel remembers.
        me = await ann.hub_user()
        await kernel.ws.close()
        kernel2 = type(kernel)(ann, kernel.id)
        await kernel2.connect()
        after = kernel2.text(await kernel2.execute("print(x)"))
        _, saved = await ann.server_api("GET", f"/api/contents/{LAB}?content=1")
        await kernel2.close()
        await ann.close()
        return during, alive, kernels_alive, len(kernels), me, after, saved["content"]["cells"][1]["source"]

    during, alive, kernels_alive, n_kernels, me, after, source = run(crash())
    assert during.strip() == "42"
    assert alive == {n: True for n in STUDENTS}
    assert n_kernels >= 1 and kernels_alive
    assert me["name"] == "ann" and me["servers"][""]["ready"] is True
    assert after.strip() == "42"
    assert source.endswith("# autosaved before the crash")
    for name in STUDENTS:
        assert room.api("GET", f"/users/{name}")["servers"][""]["ready"] is True


def test_validate_is_served_to_students_with_nbgrader_imported_on_first_use(classroom):
    """The Lab plugin's version check answers without nbgrader; Validate loads it and runs the notebook."""
    import importlib.metadata
    room, _ = classroom
    version = importlib.metadata.version("nbgrader")

    async def validate():
        ann = await logged_in(room, "ann")
        try:
            same = await ann.server_api("GET", f"/nbgrader_version?version={version}")
            other = await ann.server_api("GET", "/nbgrader_version?version=0.0.1")
            result = await ann.server_api("POST", "/assignments/validate", {"path": LAB})
        finally:
            await ann.close()
        return same, other, result

    same, other, (status, result) = run(validate())
    assert same == (200, {"success": True})
    assert other[1]["success"] is False and "0.0.1" in other[1]["message"]
    assert status == 200 and result["success"] is True, result


def test_v1_websocket_frames_match_jupyter_servers_own_encoding():
    from jupyter_server.services.kernels.connection.base import (deserialize_msg_from_ws_v1,
                                                                 serialize_msg_to_ws_v1)
    from classroom import kernel_frames
    msg = {"header": {"msg_type": "comm_msg", "msg_id": "m"}, "parent_header": {"msg_id": "p"},
           "metadata": {}, "content": {"data": {"state": {"value": 7}}}}
    channel, parts = deserialize_msg_from_ws_v1(kernel_frames.pack_v1(msg, "shell"))
    assert channel == "shell" and [json.loads(part) for part in parts] == [
        msg["header"], msg["parent_header"], msg["metadata"], msg["content"]]
    frame = serialize_msg_to_ws_v1(msg, "iopub", pack=lambda part: json.dumps(part).encode())
    # a widget message's content (what the browser draws) is left undecoded
    assert kernel_frames.unpack_v1(frame) == {"channel": "iopub", "msg_type": "comm_msg",
                                                "header": msg["header"], "parent_header": {"msg_id": "p"},
                                                "content": {}}
    status = dict(msg, header={"msg_type": "status", "msg_id": "s"}, content={"execution_state": "idle"})
    frame = serialize_msg_to_ws_v1(status, "iopub", pack=lambda part: json.dumps(part).encode())
    assert kernel_frames.unpack_v1(frame)["content"] == {"execution_state": "idle"}


def test_a_stopped_server_leaves_no_runtime_folder(classroom):
    room, _ = classroom
    folder = runtime_dir_of(room, "cy")
    assert folder.is_dir()
    room.api("DELETE", "/users/cy/server")
    deadline = time.monotonic() + 60
    while folder.exists() and time.monotonic() < deadline:
        time.sleep(0.25)
    assert not folder.exists()
    assert room.api("GET", "/users/cy")["servers"] == {}
