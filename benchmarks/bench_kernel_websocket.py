"""A widget change's way through a Jupyter server, with and without Nagle's algorithm (issue 11).

Run: ``.venv/bin/python -m benchmarks.bench_kernel_websocket [--changes N] [--gap S]``

Two private Jupyter servers from this environment (127.0.0.1, a random token, bounded waits,
stopped by PID with their kernels): one with binder/jupyter_server_config.py (the kernel websocket
with TCP_NODELAY, what every sporelab server gets), one with jupyter_server's own connection class.
On each, a kernel builds an ``InitializerExplorer`` and a websocket client speaking the protocol
JupyterLab 4 uses (v1 binary frames) moves its seed slider as a browser does (a comm message),
one change every ``--gap`` seconds (default 0.01: a student holding an arrow key or a fast Play),
and times each change to the kernel's idle status, the last of the frames that answer it (busy,
the figure, idle). Also printed: the CPU per change of the server and of the kernel.

Target: with the config, the median change is answered in at most half the time it takes without
(Nagle holds the later frames of a burst until the browser's delayed ACK, 40 ms on Linux).
"""

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

from classroom.kernel_frames import WS_V1, pack_v1, shell_message, unpack_v1, widget_update

DEFAULT_CLASS = "jupyter_server.services.kernels.connection.channels.ZMQChannelsWebsocketConnection"
SETUP = "from sporelab.widgets import InitializerExplorer\ne = InitializerExplorer()\nprint(e.seed.comm.comm_id)"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A private Jupyter server; ``connection_class`` None keeps the environment's config."""

    def __init__(self, connection_class=None):
        self.root = Path(tempfile.mkdtemp(prefix="sporelab-ws-bench-"))
        self.port, self.token = _free_port(), uuid.uuid4().hex
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(self.root / "config"),
                   JUPYTER_RUNTIME_DIR=str(self.root / "runtime"), JUPYTER_DATA_DIR=str(self.root / "data"))
        cmd = [sys.executable, "-m", "jupyter_server", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               "--ServerApp.port_retries=0", f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={self.root}"]
        if connection_class:
            cmd.append(f"--ServerApp.kernel_websocket_connection_class={connection_class}")
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log = open(self.root / "server.log", "w")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self.url = f"127.0.0.1:{self.port}"

    def stop(self, keep=False):
        """Stop the server and its kernels; remove its folder unless ``keep`` (a failed run's log)."""
        children = psutil.Process(self.proc.pid).children(recursive=True)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for child in children:          # its kernels, should the server have left any
            if child.is_running():
                child.kill()
        self.log.close()
        if keep:
            print(f"the server's folder (log, runtime) is kept: {self.root}", file=sys.stderr)
        else:
            shutil.rmtree(self.root, ignore_errors=True)


async def _api(server, method, path, body=None):
    response = await AsyncHTTPClient().fetch(
        f"http://{server.url}{path}", method=method, body=None if body is None else json.dumps(body),
        headers={"Authorization": f"token {server.token}"}, request_timeout=30, raise_error=True)
    return json.loads(response.body) if response.body else None


async def _ready(server, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"the Jupyter server exited with {server.proc.returncode}; log: {server.root}")
        try:
            return await _api(server, "GET", "/api/status")
        except Exception:  # noqa: BLE001 -- not listening yet
            await asyncio.sleep(0.25)
    raise RuntimeError(f"no Jupyter server on {server.url} within {timeout} s")


class Kernel:
    def __init__(self, server, ws):
        self.server, self.ws, self.session = server, ws, uuid.uuid4().hex
        self.pid = next(c.pid for c in psutil.Process(server.proc.pid).children(recursive=True))

    async def send(self, msg_type, content, timeout=60.0):
        """Send a shell message; returns (the messages answering it, seconds until its idle status)."""
        msg = shell_message(msg_type, content, self.session, "bench")
        start = time.perf_counter()
        await self.ws.write_message(pack_v1(msg, "shell"), binary=True)
        answers = []
        while True:
            frame = await asyncio.wait_for(self.ws.read_message(), timeout)
            if frame is None:
                raise RuntimeError("the kernel websocket closed")
            message = unpack_v1(frame)
            if message["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
                continue
            answers.append(message)
            if message["msg_type"] == "status" and message["content"].get("execution_state") == "idle":
                return answers, time.perf_counter() - start


async def _kernel(server):
    model = await _api(server, "POST", "/api/kernels", {"name": "python3"})
    url = f"ws://{server.url}/api/kernels/{model['id']}/channels?session_id={uuid.uuid4().hex}"
    request = HTTPRequest(url, headers={"Authorization": f"token {server.token}"}, connect_timeout=30)
    ws = await websocket_connect(request, subprotocols=[WS_V1], max_message_size=1 << 30)
    return Kernel(server, ws)


def _cpu(pid):
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


async def measure(connection_class, changes, gap):
    server = Server(connection_class)
    finished = False
    try:
        await _ready(server)
        kernel = await _kernel(server)
        frames, _ = await kernel.send("execute_request", {"code": SETUP, "silent": False, "store_history": False,
                                                          "user_expressions": {}, "allow_stdin": False})
        comm = next(f["content"]["text"].split()[0] for f in frames if f["msg_type"] == "stream")

        def change(seed):           # what the browser sends when the seed slider moves
            return kernel.send("comm_msg", widget_update(comm, {"value": seed % 1000}))
        for k in range(5):              # warm up
            await change(k + 1)
        cpu = (_cpu(server.proc.pid), _cpu(kernel.pid))
        waits = []
        for k in range(changes):
            await asyncio.sleep(gap)
            waits.append((await change(k + 10))[1])
        used = (_cpu(server.proc.pid) - cpu[0], _cpu(kernel.pid) - cpu[1])
        kernel.ws.close()
        finished = True
        return waits, [u / changes for u in used]
    finally:
        server.stop(keep=not finished)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--gap", type=float, default=0.01, help="seconds between a change's idle and the next change")
    args = parser.parse_args(argv)
    if args.changes < 1 or args.gap < 0:
        parser.error("--changes must be at least 1 and --gap at least 0")
    installed = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.py"
    if not installed.is_file():
        print(f"{installed} is missing: run `make venv-test` (binder/postBuild installs it)")
        return 1
    rows = {}
    for label, cls in (("sporelab config (TCP_NODELAY)", None), ("jupyter_server's default", DEFAULT_CLASS)):
        waits, (server_cpu, kernel_cpu) = asyncio.run(measure(cls, args.changes, args.gap))
        rows[label] = statistics.median(waits) * 1e3
        print(f"{label:32s} change -> idle median {rows[label]:6.1f} ms (p95 "
              f"{sorted(waits)[int(0.95 * len(waits)) - 1] * 1e3:6.1f}); CPU per change: server "
              f"{server_cpu * 1e3:.2f} ms, kernel {kernel_cpu * 1e3:.2f} ms")
    ours, theirs = rows.values()
    ratio = ours / theirs
    ok = ratio <= 0.5
    print(f"ratio {ratio:.2f} (target <= 0.5, a change every {args.gap * 1e3:.0f} ms, {args.changes} changes): "
          + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
