"""``make classroom``: a JupyterHub for a class, with sporelab in every student's JupyterLab.

Three processes, started in this order and stopped in reverse on Ctrl-C:

1. configurable-http-proxy (pinned in classroom/package.json), the public address;
2. JupyterHub (classroom/jupyterhub_config.py), which starts one server per student;
3. jupyterhub-idle-culler, which stops servers idle for an hour.

The proxy is external on purpose: when the hub dies (a crash, an upgrade), students keep working
through the proxy with their servers and kernels; ``serve.py`` restarts the hub, which finds them
again from its database. ``Classroom`` is also what the tests and the load benchmark drive.

    python -m classroom.serve --ip 127.0.0.1 --port 8000     # or: make classroom [HOST=] [PORT=]

Who gets in (authenticator.py): with ``--roster students.csv`` only roster names, each with a
generated password (``<state>/private/passwords.csv`` and ``passwords.html``, mode 0600); without
one, a name's first login sets its password. ``--workshop`` (``WORKSHOP=1``) is the old shared
class password instead: anyone with it can be anyone. HTTPS with ``--cert``/``--key`` (tls.py).

Environment: ``CLASSROOM_PASSWORD`` (the workshop's class password, at least 8 characters; random
and printed when unset), ``CLASSROOM_TEACHER_PASSWORD`` (at least 32 characters; random and
printed when unset). Both are kept in ``<state>/private/secrets.json`` (mode 0600) between runs.
"""

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from classroom import student_env
from classroom.credentials import issue_passwords, set_teacher_password
from classroom.env_vars import MARKER, SETTINGS
from classroom.roster import read_roster
from classroom.tls import network_policy

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CHP = HERE / "node_modules" / ".bin" / "configurable-http-proxy"


def _check_password(value, what, minimum):
    """``value`` if it is a str of at least ``minimum`` characters; TypeError / ValueError if not."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string of at least {minimum} characters, "
                        f"got {type(value).__name__}")
    if len(value) < minimum:
        raise ValueError(f"{what} must be a string of at least {minimum} characters, "
                         f"got {len(value)} characters")
    return value


def _check_port(name, value, optional=False):
    """A TCP port number: an int in 1..65535 (None allowed when ``optional``)."""
    if value is None and optional:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int (a TCP port), got {type(value).__name__}")
    if not 1 <= value <= 65535:
        raise ValueError(f"{name} must be a TCP port in 1..65535, got {value}")


def is_local_repo(repo):
    """True for a repository on this machine (a ``file://`` URL or a path), False for a URL."""
    return repo.startswith("file://") or repo.startswith("/")


def lab_links(hub_url, repo, branch, labs_subdir="notebooks/labs", labs=None):
    """The nbgitpuller link of every lab: ``{lab name: URL}``.

    nbgitpuller clones ``repo`` into ``~/<last part of repo>`` and opens the notebook in
    JupyterLab; a logged-out student is asked to log in first and lands there afterwards.

    >>> lab_links("http://127.0.0.1:8000", "https://github.com/OWNER/sporelab", "main",
    ...           labs=["initializers"])["initializers"]  # doctest: +NORMALIZE_WHITESPACE
    'http://127.0.0.1:8000/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2FOWNER%2Fsporelab&branch=main&urlpath=lab%2Ftree%2Fsporelab%2Fnotebooks%2Flabs%2Finitializers.ipynb'
    """
    for name, value in (("hub_url", hub_url), ("repo", repo), ("branch", branch), ("labs_subdir", labs_subdir)):
        if not isinstance(value, str) or not value:
            raise TypeError(f"lab_links: {name} must be a non-empty string, got {value!r}")
    if labs is None:
        labs = sorted(p.stem for p in (REPO / "notebooks" / "labs").glob("*.ipynb"))
    target = repo.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    links = {}
    for lab in labs:
        urlpath = f"lab/tree/{target}/{labs_subdir.strip('/')}/{lab}.ipynb"
        query = urllib.parse.urlencode({"repo": repo, "branch": branch, "urlpath": urlpath},
                                       quote_via=urllib.parse.quote, safe="")
        links[lab] = f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"
    return links


def _git(*args):
    try:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


class Classroom:
    """One class: its folders, secrets, proxy, hub and culler. Ports must be free.

    ``state_dir`` (mode 0711) holds ``private/`` (0700: the hub's database, cookie secret,
    secrets.json, settings.json, logs/), ``public/`` (0755: what student servers must read, a git
    config) and, without root, ``homes/`` (the students' homes).
    """

    def __init__(self, state_dir, *, ip="127.0.0.1", port=8000, hub_port=None,
                 proxy_api_port=None, teacher="teacher", class_password=None,
                 teacher_password=None, user_prefix="jupyter-", mem_limit="1G",
                 start_timeout=600, cull_timeout=3600, repo=None, chp=CHP, roster=None,
                 workshop=False, cert=None, key=None, insecure_http=False, throttle=None,
                 student_env_dir=None):
        for name, value in (("port", port), ("hub_port", hub_port), ("proxy_api_port", proxy_api_port)):
            _check_port(name, value, optional=name != "port")
        if workshop and roster:
            raise ValueError("WORKSHOP=1 (one shared password) and ROSTER= (a password each) "
                             "exclude each other: give one")
        # Everything that can be wrong with the command line fails here, before any folder or process.
        self.roster = read_roster(roster) if roster else []
        self.tls, self.network_warning = network_policy(ip, cert, key, insecure_http)
        self.state = Path(state_dir).resolve()
        self.private, self.public = self.state / "private", self.state / "public"
        for folder, mode in ((self.state, 0o711), (self.private, 0o700), (self.private / "logs", 0o700),
                             (self.public, 0o755), (self.state / "homes", 0o700)):
            folder.mkdir(parents=True, exist_ok=True, mode=mode)
            os.chmod(folder, mode)
        self.chp = Path(chp)
        self.secrets = self._secrets(class_password, teacher_password)
        self.repo = repo
        self.settings = {
            "ip": ip, "port": int(port),
            "hub_port": int(hub_port or port + 81), "proxy_api_port": int(proxy_api_port or port + 1),
            "state_dir": str(self.private), "homes_dir": str(self.state / "homes"),
            "secrets_file": str(self.private / "secrets.json"),
            "teacher": teacher, "user_prefix": user_prefix, "mem_limit": mem_limit,
            "start_timeout": int(start_timeout), "cull_timeout": int(cull_timeout),
            # student_env_dir: another students' environment (benchmarks compare two)
            "bin_dir": str(Path(student_env_dir, "bin") if student_env_dir else student_env.bin_dir()),
            "student_config": str(Path(student_env_dir, student_env.CONFIG_NAME) if student_env_dir
                                  else student_env.config_dir()),
            "classroom_id": uuid.uuid4().hex,
            "git_config": self._git_config(repo),
            "workshop": bool(workshop), "roster": [e.name for e in self.roster],
            "tls": self.tls, "throttle": dict(throttle or {}),
        }
        self.cert, self.key = (str(Path(cert).resolve()), str(Path(key).resolve())) if self.tls else (None, None)
        self.passwords = self._credentials(teacher)
        (self.private / "settings.json").write_text(json.dumps(self.settings, indent=1))
        self.hub = self.proxy = self.culler = None

    # --- set-up ---------------------------------------------------------------------------------
    def _secrets(self, class_password, teacher_password):
        path = self.private / "secrets.json"
        old = json.loads(path.read_text()) if path.exists() else {}
        given = lambda value: value is not None and value != ""       # noqa: E731  ("" = unset)
        new = {
            "class_password": class_password if given(class_password) else
            old.get("class_password") or "-".join(secrets.token_hex(2) for _ in range(3)),
            "teacher_password": teacher_password if given(teacher_password) else
            old.get("teacher_password") or secrets.token_urlsafe(32),
            "proxy_token": old.get("proxy_token") or secrets.token_hex(32),
            "admin_token": old.get("admin_token") or secrets.token_hex(32),
            "culler_token": old.get("culler_token") or secrets.token_hex(32),
        }
        _check_password(new["class_password"], "CLASSROOM_PASSWORD (the class password)", 8)
        _check_password(new["teacher_password"], "CLASSROOM_TEACHER_PASSWORD", 32)
        if new["class_password"] == new["teacher_password"]:
            raise ValueError("the teacher's password must differ from the class password")
        path.touch(mode=0o600)
        os.chmod(path, 0o600)
        path.write_text(json.dumps(new, indent=1))
        return new

    def _credentials(self, teacher):
        """The students' generated passwords (roster) and the teacher's, in the password store."""
        if self.settings["workshop"]:
            return {}
        set_teacher_password(self.private, teacher, self.secrets["teacher_password"])
        return issue_passwords(self.private, self.roster) if self.roster else {}

    def _git_config(self, repo):
        """A git system config listing a local upstream repository as safe (see the hub config)."""
        if not repo or not is_local_repo(repo):
            return ""
        local = repo[len("file://"):] if repo.startswith("file://") else repo
        path = self.public / "gitconfig"
        lines = ["[include]", "\tpath = /etc/gitconfig", "[safe]"]
        lines += [f"\tdirectory = {d}" for d in (local, os.path.join(local, ".git"))]
        path.write_text("\n".join(lines) + "\n")
        os.chmod(path, 0o644)
        return str(path)

    @property
    def url(self):
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.settings['ip']}:{self.settings['port']}"

    @property
    def hub_api(self):
        return f"http://127.0.0.1:{self.settings['hub_port']}/hub/api"

    def _env(self, **extra):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("CLASSROOM_", "JUPYTERHUB_", "CONFIGPROXY_"))}
        env.update({MARKER: self.settings["classroom_id"], **extra})
        return env

    def _popen(self, name, cmd, **env):
        log = open(self.private / "logs" / f"{name}.log", "ab")
        return subprocess.Popen(cmd, cwd=self.private, env=self._env(**env), stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)    # Ctrl-C reaches serve.py only

    # --- processes ------------------------------------------------------------------------------
    def start_proxy(self):
        s = self.settings
        self.proxy = self._popen("proxy", [
            str(self.chp), "--ip", s["ip"], "--port", str(s["port"]),
            "--api-ip", "127.0.0.1", "--api-port", str(s["proxy_api_port"]),
            "--default-target", f"http://127.0.0.1:{s['hub_port']}",
            "--error-target", f"http://127.0.0.1:{s['hub_port']}/hub/error",
            *(["--ssl-cert", self.cert, "--ssl-key", self.key] if self.tls else []),
        ], CONFIGPROXY_AUTH_TOKEN=self.secrets["proxy_token"])

    def start_hub(self, timeout=90):
        """Start JupyterHub with this repository on its path: it imports the spawner from here."""
        python_path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        self.hub = self._popen("hub", [sys.executable, "-m", "jupyterhub", "-f",
                                       str(HERE / "jupyterhub_config.py")],
                               **{SETTINGS: str(self.private / "settings.json"), "PYTHONPATH": python_path})
        self.wait_ready(timeout)

    def start_culler(self):
        self.culler = self._popen("culler", [
            sys.executable, "-m", "jupyterhub_idle_culler", f"--url={self.hub_api}",
            f"--timeout={self.settings['cull_timeout']}", "--cull-every=300"],
            JUPYTERHUB_API_TOKEN=self.secrets["culler_token"])

    def start(self, timeout=90):
        if not os.access(Path(self.settings["bin_dir"]) / "jupyterhub-singleuser", os.X_OK):
            raise RuntimeError(f"the students' environment {self.settings['bin_dir']} is missing: "
                               f"run `make classroom` (python -m classroom.student_env ensure)")
        if not os.access(self.chp, os.X_OK):
            raise RuntimeError(f"configurable-http-proxy not found at {self.chp}: "
                               f"run `make classroom` (it installs it with npm)")
        self.start_proxy()
        self.start_hub(timeout)
        self.start_culler()
        return self

    def wait_ready(self, timeout):
        """Wait until the hub answers through the proxy; RuntimeError with the log tail if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in (("hub", self.hub), ("proxy", self.proxy)):
                if proc is not None and proc.poll() is not None:
                    raise RuntimeError(f"the {name} exited with {proc.returncode}:\n{self.log_tail(name)}")
            try:
                if self.api("GET", "/", timeout=5).get("version"):
                    return
            except (urllib.error.URLError, OSError, ValueError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the hub did not answer within {timeout} s:\n{self.log_tail('hub')}")

    def log_tail(self, name, lines=30):
        path = self.private / "logs" / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def api(self, method, path, body=None, timeout=30):
        """Call the hub's REST API with the admin token; the decoded JSON.

        Through the proxy on plain HTTP; under TLS straight to the hub on 127.0.0.1, since the
        teacher's certificate names a domain, not this address.
        """
        data = None if body is None else json.dumps(body).encode()
        base = self.hub_api if self.tls else f"{self.url}/hub/api"
        req = urllib.request.Request(f"{base}{path}", data=data, method=method, headers={
            "Authorization": f"token {self.secrets['admin_token']}",
            "Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=timeout) as reply:
            raw = reply.read()
        return json.loads(raw) if raw else {}

    def processes(self):
        """Every live process of this class (proxy, hub, culler, servers, kernels), by marker."""
        import psutil
        mine = []
        for proc in psutil.process_iter():
            try:
                if proc.environ().get(MARKER) == self.settings["classroom_id"]:
                    mine.append(proc)
            except (psutil.Error, OSError):
                continue
        return mine

    def stop(self, timeout=60):
        """Stop the hub (it stops every server), the culler and the proxy; then anything left."""
        import psutil
        for proc in (self.culler, self.hub):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
        left = [p for p in self.processes() if self.proxy is None or p.pid != self.proxy.pid]
        for proc in left:             # servers a crashed hub left behind, their kernels
            try:
                proc.terminate()
            except psutil.Error:
                pass
        _, alive = psutil.wait_procs(left, timeout=10)
        for proc in alive:
            try:
                proc.kill()
            except psutil.Error:
                pass
        if self.proxy is not None and self.proxy.poll() is None:
            self.proxy.terminate()
            try:
                self.proxy.wait(10)
            except subprocess.TimeoutExpired:
                self.proxy.kill()
                self.proxy.wait(10)


WORKSHOP_WARNING = ("WARNING: WORKSHOP=1: one shared class password, and any name. Anyone with the "
                    "password can be anyone: log in as another student, read, change or submit "
                    "their work. Use it for a workshop without grades, never for a graded class.")


def _who_gets_in(room):
    s = room.settings
    if s["workshop"]:
        return [WORKSHOP_WARNING,
                "  students: log in with any name (lower-case letters, digits, '-', '_'; at most 16) "
                f"and the class password: {room.secrets['class_password']}"]
    if s["roster"]:
        return [f"  students: {len(s['roster'])} on the roster, each with their own password: "
                f"hand out the slips in {room.private / 'passwords.html'} (also passwords.csv)"]
    return ["  students: the first login under a name sets that name's password (at least 8 "
            "characters); the name is then taken"]


def _banner(room, links):
    s = room.settings
    out = [f"sporelab classroom at {room.url}/  (state: {room.state})", *_who_gets_in(room),
           f"  teacher (admin): {s['teacher']}, password: {room.secrets['teacher_password']}",
           f"  admin API token: in {s['secrets_file']}"]
    if not s["workshop"]:
        out.append(f"  reset a student's password: {room.url}/hub/classroom/passwords, or "
                   f"python -m classroom.passwords reset NAME --state {room.state}")
    if room.network_warning:
        out.append(room.network_warning)
    if os.geteuid() == 0:
        out.append(f"  isolation: each student gets a system user '{s['user_prefix']}<name>' with a "
                   f"private home (0700); memory limit {s['mem_limit']} per student")
    else:
        out.append("  NO ISOLATION: not run as root, so every student's server runs as this user "
                   f"({os.environ.get('USER', os.getuid())}) and can read every other student's "
                   f"files (homes under {room.state / 'homes'}); memory limits are not enforced. "
                   "Run as root on a class server.")
    out.append("  nbgitpuller links (give one to the class):")
    out += [f"    {lab}: {url}" for lab, url in links.items()]
    out.append("Ctrl-C stops the hub, every student's server and the proxy.")
    return "\n".join(out)


def _prestart_in_background(room, names, repo):
    """Start every student's server and pull ``repo`` (classroom.prestart) in a daemon thread."""
    import asyncio
    import threading
    from classroom.prestart import prestart, print_progress

    def work():
        print(f"prestart: starting {len(names)} servers and pulling the labs ...", flush=True)
        report = asyncio.run(prestart(f"{room.url}/hub/api", room.secrets["admin_token"], names,
                                      repo=repo, progress=print_progress))
        print(report.summary(), flush=True)
    threading.Thread(target=work, name="prestart", daemon=True).start()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--state", default=str(HERE / "state"))
    parser.add_argument("--hub-port", type=int, help="the hub's own port (default: PORT + 81)")
    parser.add_argument("--proxy-api-port", type=int, help="the proxy's API port (default: PORT + 1)")
    parser.add_argument("--teacher", default="teacher")
    parser.add_argument("--user-prefix", default="jupyter-")
    parser.add_argument("--mem-limit", default="1G")
    parser.add_argument("--repo", default=_git("remote", "get-url", "origin") or f"file://{REPO}",
                        help="the repository nbgitpuller copies to students (default: origin)")
    parser.add_argument("--branch", default=_git("rev-parse", "--abbrev-ref", "HEAD") or "main")
    parser.add_argument("--roster", help="a CSV with a name column: only these students, each "
                        "with a generated password (ROSTER=)")
    parser.add_argument("--workshop", action="store_true",
                        help="one shared class password, any name: anyone can be anyone (WORKSHOP=1)")
    parser.add_argument("--cert", help="the TLS certificate chain, PEM (CERT=)")
    parser.add_argument("--key", help="its private key, PEM, mode 0600 (KEY=)")
    parser.add_argument("--insecure-http", action="store_true",
                        help="allow plain HTTP on a non-loopback address (INSECURE_HTTP=1)")
    parser.add_argument("--prestart", action="store_true",
                        help="with a roster: start every student's server and pull the labs in "
                             "the background (make classroom PRESTART=1)")
    args = parser.parse_args(argv)
    if args.prestart and not args.roster:
        sys.exit("make classroom: PRESTART=1 needs a roster (ROSTER=students.csv): "
                 "without one, nobody knows who will log in")
    try:
        room = Classroom(args.state, ip=args.ip, port=args.port, hub_port=args.hub_port,
                         proxy_api_port=args.proxy_api_port, teacher=args.teacher,
                         class_password=os.environ.get("CLASSROOM_PASSWORD"),
                         teacher_password=os.environ.get("CLASSROOM_TEACHER_PASSWORD"),
                         user_prefix=args.user_prefix, mem_limit=args.mem_limit, repo=args.repo,
                         roster=args.roster, workshop=args.workshop, cert=args.cert, key=args.key,
                         insecure_http=args.insecure_http)
    except (TypeError, ValueError) as err:
        sys.exit(f"make classroom: {err}")
    for warning in (WORKSHOP_WARNING if args.workshop else "", room.network_warning):
        if warning:
            print(warning, file=sys.stderr, flush=True)
    stopping = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.append(True))
    try:
        room.start()
        print(_banner(room, lab_links(room.url, args.repo, args.branch)), flush=True)
        if args.prestart:
            _prestart_in_background(room, [entry.name for entry in room.roster], args.repo)
        restarts = []
        while not stopping:
            time.sleep(1)
            if room.hub.poll() is not None and not stopping:
                restarts = [t for t in restarts if t > time.monotonic() - 600] + [time.monotonic()]
                if len(restarts) > 5:
                    print("the hub keeps dying; stopping (see logs/hub.log)", flush=True)
                    break
                print(f"the hub exited ({room.hub.returncode}); restarting it: students keep "
                      "working through the proxy", flush=True)
                room.start_hub()
    except RuntimeError as err:
        print(f"make classroom: {err}", file=sys.stderr)
        return 1
    finally:
        print("stopping the classroom ...", flush=True)
        room.stop()
        print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
