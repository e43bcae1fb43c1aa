"""The start of a lesson: N students log in together; how long until each sees their lab?

Run through ``classroom_load.py --prestart`` (as root on the class server):

    .venv/bin/python -m benchmarks.classroom_load --prestart --students 30
    .venv/bin/python -m benchmarks.classroom_load --prestart --students 30 \\
        --students-env /opt/sporelab-classroom/<other>      # the CPU cost of another environment

Two classrooms, one after the other, each with its own upstream repository of the labs
(notebooks/): in the first the students log in to nothing started ("cold": the hub creates their
user, starts their server, nbgitpuller pulls the labs, the Lab page loads); in the second
``classroom.prestart`` has started every server and pulled the labs before the students log in.
Login-to-lab is the time from the login form's POST until the Lab page has loaded and the first
lab notebook is in the student's files. CPU-s per server start is the CPU time of the hub (with
the users it created and every child it reaped), the proxy and the students' servers (with their
git), over the cold logins, divided by the number of students.
"""

import asyncio
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from classroom.prestart import prestart
from classroom.student_client import Student
from tests.classroom._labs import TARGET, labs_repo

REPO = Path(__file__).resolve().parents[1]


def first_lab(repo):
    return sorted(p.relative_to(repo) for p in (repo / "labs").rglob("*.ipynb"))[0].as_posix()


def cpu_seconds(room):
    """CPU-s of the hub (with reaped children: useradd, stopped servers), proxy and servers."""
    import psutil
    total = 0.0
    for proc in room.processes():
        try:
            t = proc.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            continue
    return total


async def login_to_lab(room, name, password, lab, pulled):
    """Seconds from the login POST to the Lab loaded with ``lab`` in the student's files."""
    s = Student(room.url, name, password)
    try:
        t0 = time.monotonic()
        status, _ = await s.login()
        if status != 200:
            raise RuntimeError(f"login of {name}: {status}")
        await s.wait_server(timeout=900)
        if not pulled:             # as the nbgitpuller link: its status page, then its pull
            async with s.session.get(f"{s.user_url}/git-pull?repo={quote(room.repo, safe='')}") as r:
                await r.read()
            await s.pull(room.repo, "main", timeout=900)
        await s.open_lab()
        await s.server_api("GET", f"/api/contents/{TARGET}/{quote(lab)}?content=0")
        return time.monotonic() - t0
    finally:
        await s.close()


async def lesson_start(room, names, passwords, lab, pulled):
    """Every student logs in at once with their password (``passwords``: name -> password)."""
    results = await asyncio.gather(*(login_to_lab(room, n, passwords[n], lab, pulled) for n in names),
                                   return_exceptions=True)
    times = [r for r in results if isinstance(r, float)]
    failures = [f"{n}: {r}" for n, r in zip(names, results) if not isinstance(r, float)]
    return times, failures


def run_class(n_students, with_prestart, port, student_env_dir=None, roster=False):
    """One classroom, N students logging in together; a dict of what was measured.

    With ``roster``, the class is a roster of the N students, each logging in with the password the
    classroom generated for them (``make classroom ROSTER=...``); else each claims their name with a
    first-use password.
    """
    from classroom.serve import Classroom
    from tests.classroom._users import remove_test_users
    base = Path(tempfile.mkdtemp(prefix="sporelab-bench-"))
    os.chmod(base, 0o755)
    repo = labs_repo(base / "upstream")
    prefix = f"sporelab-bench-{secrets.token_hex(2)}-"
    names = [f"s{i:02d}" for i in range(n_students)]
    roster_file = None
    if roster:
        roster_file = base / "students.csv"
        roster_file.write_text("name\n" + "".join(f"{n}\n" for n in names), encoding="utf-8")
    password = secrets.token_hex(8)
    room = Classroom(base / "state", port=port(), hub_port=port(), proxy_api_port=port(),
                     class_password=password, user_prefix=prefix, repo=f"file://{repo}",
                     student_env_dir=student_env_dir, roster=roster_file)
    passwords = {n: room.passwords[n] for n in names} if roster else dict.fromkeys(names, password)
    out = {"prestart": None, "failures": []}
    try:
        room.start(timeout=120)
        if with_prestart:
            t0 = time.monotonic()
            report = asyncio.run(prestart(f"{room.url}/hub/api", room.secrets["admin_token"], names,
                                          repo=room.repo))
            out["prestart"] = (time.monotonic() - t0, report.summary())
        cpu0 = cpu_seconds(room)
        out["times"], out["failures"] = asyncio.run(lesson_start(room, names, passwords, first_lab(repo),
                                                                 with_prestart))
        out["cpu_per_start"] = (cpu_seconds(room) - cpu0) / n_students
    finally:
        room.stop()
        remove_test_users(prefix)
        shutil.rmtree(base, ignore_errors=True)
    return out


def report(n_students, results):
    from benchmarks.classroom_load import pct
    print(f"\nstart of a lesson: {n_students} students log in together, {os.cpu_count()} cores; "
          f"load average at the end: {os.getloadavg()[0]:.1f} (other work on the machine slows it)")
    print("| classroom | login-to-lab p50, s | p95, s | max, s | CPU-s per login | failures |")
    print("|---|---|---|---|---|---|")
    for label, out in results.items():
        t = out.get("times") or [float("nan")]
        print(f"| {label} | {pct(t, 50):.1f} | {pct(t, 95):.1f} | {max(t):.1f} | "
              f"{out.get('cpu_per_start', float('nan')):.2f} | {len(out['failures'])} |")
        if out["prestart"]:
            print(f"|  (prestart before the bell: {out['prestart'][0]:.0f} s; {out['prestart'][1]}) |||||")
        for failure in out["failures"][:5]:
            print("   ", failure)
