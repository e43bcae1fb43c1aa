"""Servers ready before the bell: start every roster student's server and pull the labs.

At the start of a lesson a whole class logs in within a minute; each server start costs about
1.5 CPU-s (a 2-core machine starts about one a second), so the last student waits long. Started
beforehand, a login finds the server running and the labs pulled: the student only loads the Lab.
``prestart`` does this through the hub's REST API with the admin token, at most ``concurrency``
students at a time (a start is CPU-bound: more at once only makes each slower), and tells
``progress`` how many are ready and which failed and why.

It is idempotent and survives the hub dying under it: a student whose server is running is only
pulled again (nbgitpuller merges, keeping the student's edits), and a call that fails because the
hub is down is retried until the student's ``timeout``, so the run finishes once ``serve.py`` has
restarted the hub. A server the hub was starting when it died is stopped by the spawner before it
starts that student's next one (``ClassroomSpawner.stop_leftovers``): nothing is left orphaned.

    python -m classroom.prestart --hub http://127.0.0.1:8000 --repo URL ann bob   # token: stdin

>>> report = PrestartReport(total=2, ready=["ann"], failed={"bob": "timeout"})
>>> report.summary()
'prestart: 1/2 ready, 1 failed (bob: timeout)'
"""

import argparse
import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

RETRY_SECONDS = 1.0


class HubDown(RuntimeError):
    """The hub (or the proxy in front of it) did not answer: retried until the timeout."""


@dataclass
class PrestartReport:
    """What a prestart did: the students whose server is ready with the labs, and the others."""

    total: int
    ready: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)

    def summary(self):
        failures = ", ".join(f"{name}: {why}" for name, why in sorted(self.failed.items()))
        return (f"prestart: {len(self.ready)}/{self.total} ready, {len(self.failed)} failed"
                + (f" ({failures})" if failures else ""))


def _check_args(names, concurrency, timeout):
    if isinstance(names, str) or not all(isinstance(n, str) and n for n in names):
        raise TypeError(f"names must be a list of non-empty str, got {names!r:.80}")
    if len(set(names)) != len(names):
        raise ValueError(f"names must be unique, got {len(names) - len(set(names))} duplicates")
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
        raise ValueError(f"concurrency must be an int >= 1, got {concurrency!r}")
    if not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ValueError(f"timeout must be a number of seconds > 0, got {timeout!r}")


class _Hub:
    """The hub's REST API and the students' servers behind the proxy, with the admin token."""

    def __init__(self, session, hub_api_url, token):
        self.session, self.api = session, hub_api_url.rstrip("/")
        self.base = self.api.removesuffix("/hub/api")
        self.headers = {"Authorization": f"token {token}"}

    async def call(self, method, path, ok=(200, 201, 202, 204)):
        import aiohttp
        try:
            async with self.session.request(method, self.api + path, headers=self.headers) as r:
                text = await r.text()
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as err:
            raise HubDown(f"{method} {path}: {type(err).__name__}") from None
        if r.status in (502, 503, 504):             # the proxy answers for a hub that is down
            raise HubDown(f"{method} {path}: {r.status}")
        if r.status not in ok:
            raise RuntimeError(f"{method} {path}: {r.status} {text[:200]}")
        return json.loads(text) if text else {}

    async def pull(self, name, repo, branch, targetpath, timeout):
        """nbgitpuller's pull in ``name``'s server (as the student); RuntimeError if it fails."""
        import aiohttp
        query = {"repo": repo, "branch": branch, "depth": "1", **({"targetpath": targetpath} if targetpath else {})}
        url = f"{self.base}/user/{name}/git-pull/api?{urlencode(query, quote_via=quote)}"
        try:
            async with self.session.get(url, headers=self.headers,
                                        timeout=aiohttp.ClientTimeout(total=timeout)) as r:
                if r.status in (502, 503, 504):
                    raise HubDown(f"pull: {r.status}")
                if r.status != 200:
                    raise RuntimeError(f"pull: {r.status} {(await r.text())[:200]}")
                async for raw in r.content:
                    line = raw.decode(errors="replace").strip()
                    event = json.loads(line[5:]) if line.startswith("data:") else {}
                    if event.get("phase") == "error":
                        raise RuntimeError(f"pull: {event.get('message', '')[:200]}")
                    if event.get("phase") == "finished":
                        return
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as err:
            raise HubDown(f"pull: {type(err).__name__}") from None
        raise HubDown("pull: the stream ended before 'finished'")


async def _ready_server(hub, name, deadline):
    """Create the user if new, start their server unless running; wait until it is ready."""
    await hub.call("POST", f"/users/{name}", ok=(201, 409))
    started = False
    while time.monotonic() < deadline:
        server = (await hub.call("GET", f"/users/{name}")).get("servers", {}).get("")
        if server and server.get("ready"):
            return
        if not server and not started:           # 400: a start is already pending
            await hub.call("POST", f"/users/{name}/server", ok=(201, 202, 400))
            started = True
        elif not server:                         # it stopped (failed) or the hub lost it
            started = False
        await asyncio.sleep(RETRY_SECONDS)
    raise TimeoutError("the server was not ready in time")


async def _one(hub, name, options, deadline):
    last = "timeout"
    while time.monotonic() < deadline:
        try:
            await _ready_server(hub, name, deadline)
            if options["repo"]:
                await hub.pull(name, options["repo"], options["branch"], options["targetpath"],
                               max(1.0, deadline - time.monotonic()))
            return
        except HubDown as err:                  # the hub restarts: try again
            last = f"hub not answering ({err})"
            await asyncio.sleep(RETRY_SECONDS)
    raise TimeoutError(last)


async def prestart(hub_api_url, token, names, concurrency=None, *, repo=None, branch="main",
                   targetpath=None, timeout=900, progress=None):
    """Start the servers of ``names`` (creating the users) and pull ``repo`` into each.

    ``hub_api_url`` is the hub's API through the proxy (``http://127.0.0.1:8000/hub/api``),
    ``token`` an admin token (never logged). At most ``concurrency`` students (default: the
    number of cores) are started at a time; each gets ``timeout`` seconds from its turn.
    ``progress(report, name, error)`` is called after each student (``error`` None if ready).
    Returns a ``PrestartReport``.
    """
    concurrency = (os.cpu_count() or 1) if concurrency is None else concurrency
    _check_args(names, concurrency, timeout)
    import aiohttp
    report = PrestartReport(total=len(names))
    gate = asyncio.Semaphore(concurrency)
    options = {"repo": repo, "branch": branch, "targetpath": targetpath}

    async def student(hub, name):
        async with gate:
            try:
                await _one(hub, name, options, time.monotonic() + timeout)
                report.ready.append(name)
                error = None
            except (RuntimeError, TimeoutError) as err:
                error = report.failed[name] = str(err) or type(err).__name__
            if progress is not None:
                progress(report, name, error)

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        hub = _Hub(session, hub_api_url, token)
        await asyncio.gather(*(student(hub, name) for name in names))
    return report


def print_progress(report, name, error):
    """A ``progress`` for a terminal: one line per student, then the count."""
    state = "ready" if error is None else f"FAILED: {error}"
    print(f"  {name}: {state}   ({len(report.ready)}/{report.total} ready, "
          f"{len(report.failed)} failed)", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="+")
    parser.add_argument("--hub", default="http://127.0.0.1:8000", help="the class's address")
    parser.add_argument("--repo", help="the repository nbgitpuller pulls (none: only start)")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    token = sys.stdin.readline().strip()        # never in argv, where `ps` shows it
    if not token:
        parser.error("give the admin token (secrets.json's admin_token) on stdin")
    report = asyncio.run(prestart(f"{args.hub.rstrip('/')}/hub/api", token, args.names,
                                  args.concurrency, repo=args.repo, branch=args.branch,
                                  progress=print_progress))
    print(report.summary())
    return 0 if not report.failed else 1


if __name__ == "__main__":
    sys.exit(main())
