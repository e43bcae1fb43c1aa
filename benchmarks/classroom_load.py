"""Load benchmark of the classroom: N students log in at once and drag an explorer's slider.

Run (as root on the class server, or as a normal user for a shared-user class):

    .venv/bin/python -m benchmarks.classroom_load                 # 20 students, own classroom
    .venv/bin/python -m benchmarks.classroom_load --students 5 --rounds 5
    .venv/bin/python -m benchmarks.classroom_load --url http://hub:8000 --password PW
                                                                   # an existing hub (no RSS)

Each simulated student (classroom/student_client.py, what a browser does): logs in through the
form, waits for the server the hub starts, opens the Lab, starts a kernel, builds an
``InitializerExplorer`` and then changes its seed slider: first all together once a second
(``--rounds`` times: everyone drags when the teacher says so), then ``--rounds`` times with
0.5-1.5 s of think time. A change is sent as the browser sends it when a student releases the
slider: a comm message setting the slider's value (``--via comm``, the default); ``--via
execute`` runs ``e.seed.value = ...`` as code instead, which adds IPython's work on a cell (an
execute request, its input echoed, its reply) to every change. An update's latency is the time
from sending the change to the kernel's idle status, the redrawn figure sent. Without ``--url`` the
benchmark starts its own classroom on free ports (students ``sporelab-bench-...``, removed afterwards) and measures the
resident memory (RSS) of every server, kernel, the hub and the proxy with psutil, and the CPU
time the students' processes spend, from which it derives the capacity table.
Not run by ``make bench`` (it takes minutes and loads the whole machine).
"""

import argparse
import asyncio
import datetime
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from classroom.student_client import Student

EXPLORER = "from sporelab.widgets import InitializerExplorer\ne = InitializerExplorer()\nprint(e.seed.model_id)\ne"
UPDATE = "e.seed.value = (e.seed.value + 1) % 1000"
RESERVE_GB = 2.0          # left to the OS, hub and proxy on a class server


def pct(values, q):
    """The q-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


async def change(kernel, slider, count, via):
    """One change of the seed slider, as a browser sends it (comm) or as code (execute)."""
    if via == "comm":
        return await kernel.update_widget(slider, {"value": count % 1000}, timeout=120)
    return await kernel.execute(UPDATE, timeout=120)


async def student(hub, name, password, n_rounds, lockstep_starts, out, via="comm"):
    s = Student(hub, name, password)
    try:
        t0 = time.monotonic()
        status, _ = await s.login()
        if status != 200:
            raise RuntimeError(f"login of {name}: {status}")
        await s.wait_server(timeout=900)
        out["spawn"].append(time.monotonic() - t0)
        await s.open_lab()
        kernel = await s.start_kernel(timeout=300)
        result = await kernel.execute(EXPLORER, timeout=300)
        if result["error"]:
            raise RuntimeError(f"explorer of {name}: {result['error']}")
        slider = kernel.text(result).split()[0]         # the seed slider's comm id
        out["built"] += 1
        await lockstep_starts["go"]             # everybody has an explorer
        for k in range(n_rounds):               # lockstep: all at t0 + k seconds
            await asyncio.sleep(max(0.0, lockstep_starts["t0"] + k - time.monotonic()))
            t = time.monotonic()
            r = await change(kernel, slider, k + 1, via)
            out["lockstep"].append(time.monotonic() - t)
            out["errors"] += r["error"] is not None
        await lockstep_starts["think"]
        rng = random.Random(name)
        for k in range(n_rounds):
            await asyncio.sleep(rng.uniform(0.5, 1.5))
            t = time.monotonic()
            r = await change(kernel, slider, n_rounds + k + 1, via)
            out["think"].append(time.monotonic() - t)
            out["errors"] += r["error"] is not None
        out["kernels"].append((name, kernel))
    except Exception as err:  # noqa: BLE001 -- one student's failure must not stop the class
        out["failures"].append(f"{name}: {type(err).__name__}: {err}")
        await s.close()
        return None
    return s


def measure(room, names, prefix):
    """RSS (MB) per student server and kernel, of the hub and proxy; CPU seconds of students."""
    import psutil
    rss, cpu = {"server": [], "kernel": [], "student": []}, 0.0
    for name in names:
        try:
            pid = room.api("GET", f"/users/{name}")["servers"][""]["state"]["pid"]
            server = psutil.Process(pid)
            kernels = server.children(recursive=True)
        except (KeyError, psutil.Error, OSError):
            continue
        s_mb = server.memory_info().rss / 2**20
        k_mb = sum(k.memory_info().rss for k in kernels) / 2**20
        rss["server"].append(s_mb)
        rss["kernel"].append(k_mb)
        rss["student"].append(s_mb + k_mb)
        cpu += sum(sum(p.cpu_times()[:2]) for p in [server, *kernels])
    hub = psutil.Process(room.hub.pid).memory_info().rss / 2**20
    proxy = psutil.Process(room.proxy.pid).memory_info().rss / 2**20
    others = {"benchmark's own simulated browsers": psutil.Process(), "proxy": psutil.Process(room.proxy.pid),
              "hub": psutil.Process(room.hub.pid)}
    rss["others"] = {name: sum(p.cpu_times()[:2]) for name, p in others.items()}
    return rss, hub, proxy, cpu


async def lesson(hub, password, names, n_rounds, room=None, via="comm"):
    loop = asyncio.get_running_loop()
    out = {"spawn": [], "lockstep": [], "think": [], "errors": 0, "failures": [], "kernels": [],
           "built": 0}
    gates = {"go": loop.create_future(), "think": loop.create_future(), "t0": 0.0}
    t_start = time.monotonic()
    tasks = [asyncio.create_task(student(hub, n, password, n_rounds, gates, out, via)) for n in names]

    async def conductor():
        # Wait until every student has an explorer (or has failed), then run the two phases.
        while out["built"] + len(out["failures"]) < len(names):
            await asyncio.sleep(0.2)
        await asyncio.sleep(3.0)                # let the explorers' first figures settle
        sample = {}
        if room is not None:
            sample["before"] = await asyncio.to_thread(measure, room, names, None)
        gates["t0"] = time.monotonic() + 0.5
        gates["go"].set_result(None)
        await asyncio.sleep(n_rounds + 1.0)
        if room is not None:
            sample["mid"] = await asyncio.to_thread(measure, room, names, None)
        t_think = time.monotonic()
        gates["think"].set_result(None)
        return sample, t_think

    conductor_task = asyncio.create_task(conductor())
    sessions = await asyncio.gather(*tasks)
    sample, t_think = await conductor_task
    if room is not None:
        sample["after"] = await asyncio.to_thread(measure, room, names, None)
        sample["think_seconds"] = time.monotonic() - t_think
    for _name, kernel in out["kernels"]:
        await kernel.close()
    for s in sessions:
        if s is not None:
            await s.close()
    out["wall"] = time.monotonic() - t_start
    return out, sample


def stats(values, unit=1000.0, fmt="{:.0f}"):
    if not values:
        return "n/a"
    return " / ".join(fmt.format(v * unit) for v in (pct(values, 50), pct(values, 95), max(values)))


def report(args, out, sample):
    cores = os.cpu_count()
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"\nclassroom load, {datetime.date.today()}: {args.students} students, {args.rounds} rounds "
          f"per pattern, changes sent via {args.via}, {cores} cores, {mem_gb:.0f} GB, wall {out['wall']:.0f} s")
    print(f"servers started: {len(out['spawn'])}/{args.students}; failures: {len(out['failures'])}"
          f"; update errors: {out['errors']}")
    for failure in out["failures"]:
        print("  ", failure)
    print("| measure | p50 | p95 | max |\n|---|---|---|---|")
    print("| spawn (login to ready), s | " + stats(out["spawn"], 1, "{:.1f}").replace(" / ", " | ") + " |")
    print("| update, all together once a second, ms | " + stats(out["lockstep"]).replace(" / ", " | ") + " |")
    print("| update, 0.5-1.5 s think time, ms | " + stats(out["think"]).replace(" / ", " | ") + " |")
    if not sample:
        return
    rss, hub, proxy, cpu_before = sample["before"]
    _, _, _, cpu_mid = sample["mid"]
    _, _, _, cpu_after = sample["after"]
    mean = statistics.fmean
    print(f"\nRSS per student with one lab kernel: server {mean(rss['server']):.0f} MB + kernel "
          f"{mean(rss['kernel']):.0f} MB = {mean(rss['student']):.0f} MB (max {max(rss['student']):.0f} MB); "
          f"hub {hub:.0f} MB, proxy {proxy:.0f} MB")
    gb = mean(rss["student"]) / 1024
    think_cpu = (cpu_after - cpu_mid) / max(1e-9, sample["think_seconds"]) / len(rss["student"])
    per_core = 1 / think_cpu if think_cpu > 0 else float("inf")
    print(f"CPU of one student moving a slider every 0.5-1.5 s (server + kernel, think phase): "
          f"{think_cpu:.3f} cores; lockstep phase: {(cpu_mid - cpu_before) / len(rss['student']):.2f} "
          f"CPU-s per student for {args.rounds} updates")
    before, mid = sample["before"][0]["others"], sample["mid"][0]["others"]
    print("CPU-s in the lockstep phase besides the students' servers: " + ", ".join(
        f"{name} {mid[name] - before[name]:.2f}" for name in before))
    print("\n| server | students by CPU (updates ~1/s each) | students by memory (1 lab open) | class size |")
    print("|---|---|---|---|")
    for label, c, m in ((f"this machine ({cores} cores, {mem_gb:.0f} GB)", cores, mem_gb),
                        ("8 cores, 32 GB", 8, 32)):
        by_cpu, by_mem = c * per_core, (m - RESERVE_GB) / gb
        print(f"| {label} | {by_cpu:.0f} ({per_core:.1f} per core) | {by_mem:.0f} ({gb:.2f} GB each) "
              f"| {min(by_cpu, by_mem):.0f} |")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lesson_start_benchmark(args):
    from benchmarks.classroom_start import report as start_report
    from benchmarks.classroom_start import run_class
    results = {"without prestart": run_class(args.students, False, free_port, args.students_env, args.roster)}
    if not args.cold_only:
        results["PRESTART=1"] = run_class(args.students, True, free_port, args.students_env, args.roster)
    start_report(args.students, results)
    return 0 if not any(out["failures"] for out in results.values()) else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--url", help="an existing hub; default: start a classroom here")
    parser.add_argument("--password", help="the class password of --url")
    parser.add_argument("--via", choices=("comm", "execute"), default="comm",
                        help="send a change as the browser does (comm, default) or as code (execute)")
    parser.add_argument("--prestart", action="store_true",
                        help="instead: login-to-lab of the students logging in together, without "
                             "and with classroom.prestart, and CPU-s per server start "
                             "(benchmarks/classroom_start.py)")
    parser.add_argument("--roster", action="store_true",
                        help="with --prestart: a roster class, each student with their own generated "
                             "password (default: first-use logins)")
    parser.add_argument("--cold-only", action="store_true",
                        help="with --prestart: only the classroom without prestart")
    parser.add_argument("--students-env", help="with --prestart: the students' environment to "
                        "run (default: this checkout's), to compare the CPU cost of two")
    parser.add_argument("--keep", action="store_true",
                        help="keep the classroom's folder (hub, proxy and student server logs) and print it")
    args = parser.parse_args(argv)
    if args.students < 1 or args.rounds < 1:
        parser.error("--students and --rounds must be at least 1")
    if args.prestart:
        return lesson_start_benchmark(args)
    if args.url:
        if not args.password:
            parser.error("--url needs --password")
        names = [f"bench{i:02d}" for i in range(args.students)]
        out, sample = asyncio.run(lesson(args.url, args.password, names, args.rounds, via=args.via))
        report(args, out, sample)
        return 0 if not out["failures"] else 1
    from classroom.serve import Classroom
    from tests.classroom._users import remove_test_users
    import socket

    def port():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    prefix = f"sporelab-bench-{secrets.token_hex(2)}-"
    password = secrets.token_hex(8)
    base = Path(tempfile.mkdtemp(prefix="sporelab-bench-"))
    room = Classroom(base / "state", port=port(), hub_port=port(), proxy_api_port=port(),
                     class_password=password, user_prefix=prefix)
    names = [f"s{i:02d}" for i in range(args.students)]
    out = {"failures": ["the classroom did not start"]}
    try:
        room.start(timeout=120)
        out, sample = asyncio.run(lesson(room.url, password, names, args.rounds, room, args.via))
    finally:
        room.stop()
        remove_test_users(prefix)
        if args.keep or out["failures"]:
            print(f"the classroom's logs: {base}", file=sys.stderr)
        else:
            import shutil
            shutil.rmtree(base, ignore_errors=True)
    report(args, out, sample)
    return 0 if not out["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
