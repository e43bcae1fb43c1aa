"""A scripted student for a JupyterHub classroom, as a browser would do it (asyncio + aiohttp).

Used by the classroom tests and by the load benchmark (benchmarks/classroom_load.py):

- ``Student.login()``: the hub's login form with its ``_xsrf`` field (the hub then starts the
  server, as it does for a browser); ``wait_server()`` polls ``/hub/api/user`` (GETs need no xsrf);
- ``open_lab()``: ``/user/<name>/lab`` (the OAuth dance sets the server's cookies and ``_xsrf``);
- ``server_api()``: the server's REST API, writes with ``X-XSRFToken`` = the ``_xsrf`` cookie;
- ``pull()``: nbgitpuller's event stream (``/git-pull/api``), what its status page's JS opens;
- ``start_kernel()`` → ``Kernel``: the kernel websocket in the protocol JupyterLab 4 negotiates
  (``v1.kernel.websocket.jupyter.org``: binary frames the server relays without re-encoding),
  the legacy JSON protocol when the server offers no other;
- ``Kernel.update_widget()``: what the browser sends when a student moves a control.

Every wait has a timeout; errors are ``RuntimeError`` naming the step and what came back.
"""

import asyncio
import json
import re
import time
import uuid
from urllib.parse import quote, urlencode

import aiohttp

from classroom.kernel_frames import WS_V1, pack_v1, shell_message, unpack_v1, widget_update

XSRF_FIELD = re.compile(r'name="_xsrf"\s+value="([^"]+)"')
def new_session():
    """An aiohttp session whose cookie jar accepts cookies from IP hosts (127.0.0.1)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                 timeout=aiohttp.ClientTimeout(total=300))


class Student:
    """One student of the class at ``hub_url`` (``http://127.0.0.1:8000``)."""

    def __init__(self, hub_url, name, password, session=None):
        self.hub, self.name, self.password = hub_url.rstrip("/"), name, password
        self.session = session or new_session()
        self.user_url = f"{self.hub}/user/{name}"

    async def close(self):
        await self.session.close()

    def cookie(self, name, path_prefix=""):
        for morsel in self.session.cookie_jar:
            if morsel.key == name and morsel["path"].startswith(path_prefix):
                return morsel.value
        return None

    async def login(self, next_url=None, password=None):
        """Log in through the form; returns (status, final URL). A wrong password gives 403."""
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        async with self.session.get(f"{self.hub}/hub/login{query}") as r:
            page = await r.text()
        found = XSRF_FIELD.search(page)
        if not found:
            raise RuntimeError(f"login page of {self.hub} has no _xsrf field (status {r.status})")
        form = {"username": self.name, "password": password or self.password, "_xsrf": found[1]}
        async with self.session.post(f"{self.hub}/hub/login{query}", data=form) as r:
            await r.read()
            return r.status, str(r.url)

    async def hub_user(self):
        async with self.session.get(f"{self.hub}/hub/api/user") as r:
            if r.status != 200:
                raise RuntimeError(f"GET /hub/api/user as {self.name}: {r.status} {await r.text()}")
            return await r.json()

    async def wait_server(self, timeout=600):
        """Wait until the hub reports this student's server ready; returns the seconds waited."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            server = (await self.hub_user()).get("servers", {}).get("")
            if server and server.get("ready"):
                return time.monotonic() - start
            await asyncio.sleep(0.5)
        raise RuntimeError(f"the server of {self.name} was not ready within {timeout} s")

    async def open_lab(self):
        async with self.session.get(f"{self.user_url}/lab") as r:
            await r.read()
            if r.status != 200:
                raise RuntimeError(f"GET {self.user_url}/lab: {r.status}")
        if not self.cookie("_xsrf", f"/user/{self.name}"):
            raise RuntimeError(f"no _xsrf cookie for /user/{self.name}/ after opening the lab")

    async def server_api(self, method, path, body=None, expect=(200, 201, 204)):
        """Call the student's server API (``/api/...``); returns (status, decoded JSON or text)."""
        headers = {"X-XSRFToken": self.cookie("_xsrf", f"/user/{self.name}") or ""}
        async with self.session.request(method, f"{self.user_url}{path}", json=body,
                                        headers=headers) as r:
            text = await r.text()
            if expect and r.status not in expect:
                raise RuntimeError(f"{method} {path} as {self.name}: {r.status} {text[:300]}")
            try:
                return r.status, json.loads(text) if text else None
            except ValueError:
                return r.status, text

    async def pull(self, repo, branch="main", targetpath=None, timeout=120):
        """Run nbgitpuller's pull; returns its log lines. RuntimeError on its error phase."""
        query = {"repo": repo, "branch": branch, "depth": "1"}
        if targetpath:
            query["targetpath"] = targetpath
        url = f"{self.user_url}/git-pull/api?{urlencode(query, quote_via=quote)}"
        lines = []
        async with self.session.get(url, timeout=aiohttp.ClientTimeout(total=timeout)) as r:
            async for raw in r.content:
                line = raw.decode(errors="replace").strip()
                if not line.startswith("data:"):
                    continue
                event = json.loads(line[5:])
                if event.get("phase") == "error":
                    raise RuntimeError(f"nbgitpuller failed for {self.name}: {event.get('message')}"
                                       f"\n{''.join(lines)}")
                if event.get("phase") == "finished":
                    return lines
                lines.append(event.get("output", ""))
        raise RuntimeError(f"nbgitpuller's stream ended without 'finished' for {self.name}")

    async def start_kernel(self, timeout=120):
        _, model = await self.server_api("POST", "/api/kernels", {"name": "python3"})
        kernel = Kernel(self, model["id"])
        await kernel.connect(timeout)
        return kernel


class Kernel:
    """A kernel of a student's server, driven through its websocket."""

    def __init__(self, student, kernel_id):
        self.student, self.id = student, kernel_id
        self.session_id = uuid.uuid4().hex
        self.ws, self.v1 = None, False

    async def connect(self, timeout=120):
        url = (f"{self.student.user_url.replace('http', 'ws', 1)}/api/kernels/{self.id}/channels"
               f"?session_id={self.session_id}")
        self.ws = await self.student.session.ws_connect(url, max_msg_size=0, heartbeat=None,
                                                        protocols=(WS_V1,))
        self.v1 = self.ws.protocol == WS_V1
        await self.execute("pass", timeout=timeout)       # the kernel has answered once

    async def _send_shell(self, msg_type, content):
        msg = shell_message(msg_type, content, self.session_id, self.student.name)
        if self.v1:
            await self.ws.send_bytes(pack_v1(msg, "shell"))
        else:
            await self.ws.send_json(msg)
        return msg["header"]["msg_id"]

    async def update_widget(self, model_id, state, timeout=120):
        """What a browser sends when a student moves a control: a comm message setting ``state``
        on the widget ``model_id``. Returns once the kernel is idle again (its answers sent)."""
        msg_id = await self._send_shell("comm_msg", widget_update(model_id, state))
        return await self._replies(msg_id, f"update of {model_id}", timeout, reply=False)

    async def execute(self, code, timeout=120):
        """Run ``code``; returns {"status", "outputs": [...], "error": (ename, evalue) or None}."""
        msg_id = await self._send_shell("execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True})
        return await self._replies(msg_id, code, timeout)

    async def _replies(self, msg_id, code, timeout, reply=True):
        """Read the kernel's answers to ``msg_id`` until it is idle (and, for a request, replied)."""
        result = {"status": None if reply else "ok", "outputs": [], "error": None}
        idle = False
        deadline = time.monotonic() + timeout
        while result["status"] is None or not idle:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"kernel of {self.student.name} did not finish within {timeout} s:"
                                   f" {code[:80]!r}")
            try:
                frame = await asyncio.wait_for(self.ws.receive(), left)
            except asyncio.TimeoutError:
                continue                              # the deadline check above reports it
            if frame.type == aiohttp.WSMsgType.BINARY and self.v1:
                msg = unpack_v1(frame.data)
            elif frame.type == aiohttp.WSMsgType.BINARY:
                continue                              # legacy protocol: messages with buffers
            elif frame.type == aiohttp.WSMsgType.TEXT:
                msg = json.loads(frame.data)
            else:
                raise RuntimeError(f"kernel websocket of {self.student.name} closed: {frame.type}")
            if msg["msg_type"] == "status" and msg["content"].get("execution_state") in ("restarting", "dead"):
                raise RuntimeError(f"the kernel of {self.student.name} died while running {code[:80]!r}"
                                   f" ({msg['content']['execution_state']}; out of memory?)")
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "execute_reply":
                result["status"] = content["status"]
            elif kind == "status" and content.get("execution_state") == "idle":
                idle = True
            elif kind == "error":
                result["error"] = (content["ename"], content["evalue"])
            elif kind in ("stream", "execute_result", "display_data"):
                result["outputs"].append(content.get("text") or content.get("data", {}))
        return result

    def text(self, result):
        """The printed text of an ``execute`` result."""
        return "".join(o if isinstance(o, str) else o.get("text/plain", "")
                       for o in result["outputs"])

    async def close(self):
        if self.ws is not None:
            await self.ws.close()
        await self.student.server_api("DELETE", f"/api/kernels/{self.id}", expect=None)
