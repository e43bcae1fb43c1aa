"""The spawner of the sporelab classroom: one isolated JupyterLab per student, as on TLJH.

Run by root (a class server), each student gets a system user ``<prefix><name>`` (TLJH's prefix
``jupyter-`` by default), created on the first login with a home that only they can read (mode
0700); their server and every kernel it starts run as that user, in a memory cgroup of its own
limited to ``Spawner.mem_limit`` where the kernel offers one (cgroup v2, or v1's memory
controller). Run by a normal user (a teacher trying the kit on a laptop), every server runs as that
user, with homes under ``shared_home_root``: no isolation, and ``serve.py`` says so at start.

Every process of a classroom carries ``SPORELAB_CLASSROOM_ID`` in its environment, so that the kit
(and its tests) can find and stop all of them, even servers a crashed hub left running.

Each student's server also gets a private runtime folder (``JUPYTER_RUNTIME_DIR``, mode 0700,
owned by the student, short enough for Unix socket paths), where its kernels' connection files and,
with the student configuration's IPC transport, their sockets live: no other student can reach a
kernel, and kernels starting at the same moment in twenty servers cannot collide on a TCP port.
"""

import asyncio
import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Unicode

SYSTEM_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
UNIX_SOCKET_PATH_MAX = 107          # bytes of a Unix socket path on Linux (sun_path), without its NUL
# What jupyter_client puts after the runtime folder for a kernel's IPC socket: /kernel-<uuid>-ipc-<n>
KERNEL_SOCKET_NAME = len("/kernel-") + 36 + len("-ipc-") + 1


def isolating():
    """True when servers can run as separate system users (the hub runs as root)."""
    return os.geteuid() == 0


def default_runtime_root():
    """Where the students' runtime folders go: /run/sporelab-classroom as root, else a folder of
    the hub's user under the temporary directory (one user then runs every server anyway)."""
    if isolating() and os.path.isdir("/run"):
        return "/run/sporelab-classroom"
    return os.path.join(tempfile.gettempdir(), f"sporelab-classroom-run-{os.geteuid()}")


def student_runtime_dir(key, root=""):
    """A student's runtime folder: ``<root>/<key>``, the key their uid (root) or their name."""
    return os.path.join(root or default_runtime_root(), str(key))


def private_folder(path, mode, uid=None, gid=None):
    """Make ``path`` a real folder with ``mode``, owned by ``uid``:``gid`` (default: this user).

    Whatever else is found there (a symbolic link, a file, a folder of another owner) is removed
    first, never followed: a runtime folder holds a kernel's keys.

    Raises:
        RuntimeError: if what is there cannot be removed or the folder cannot be made.
    """
    uid = os.geteuid() if uid is None else uid
    gid = os.getegid() if gid is None else gid
    try:
        try:
            found = os.lstat(path)
        except FileNotFoundError:
            found = None
        if found is not None and (not stat.S_ISDIR(found.st_mode) or found.st_uid != uid):
            if stat.S_ISDIR(found.st_mode):
                shutil.rmtree(path)
            else:
                os.unlink(path)
            found = None
        if found is None:
            os.mkdir(path, mode)
        if isolating():
            os.chown(path, uid, gid)
        os.chmod(path, mode)
    except OSError as err:
        raise RuntimeError(f"cannot make the private folder {path!r} (mode {mode:o}, owner {uid}): "
                           f"{err}; remove it or set ClassroomSpawner.runtime_root elsewhere") from err
    return path


class MemoryCgroup:
    """A memory cgroup for one student: ``path`` is None where none can be made (not root, no
    writable memory controller); then the limit is only advertised (``MEM_LIMIT``), not enforced.
    """

    V2_ROOT = "/sys/fs/cgroup"
    V1_ROOT = "/sys/fs/cgroup/memory"
    PARENT = "sporelab-classroom"

    def __init__(self, name, limit_bytes):
        self.name, self.limit = name, int(limit_bytes)
        self.path = None

    def create(self):
        """Make the cgroup and set its limit; returns the path or None (never raises)."""
        if not self.limit or not isolating():
            return None
        try:
            self.path = self._create_v2() or self._create_v1()
        except OSError:
            self.path = None
        return self.path

    def _create_v2(self):
        controllers = os.path.join(self.V2_ROOT, "cgroup.controllers")
        if not os.path.exists(controllers) or "memory" not in open(controllers).read().split():
            return None
        parent = os.path.join(self.V2_ROOT, self.PARENT)
        os.makedirs(parent, exist_ok=True)
        with open(os.path.join(parent, "cgroup.subtree_control"), "w") as f:
            f.write("+memory")
        path = os.path.join(parent, self.name)
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "memory.max"), "w") as f:
            f.write(str(self.limit))
        return path

    def _create_v1(self):
        if not os.access(self.V1_ROOT, os.W_OK):
            return None
        path = os.path.join(self.V1_ROOT, self.PARENT, self.name)
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "memory.limit_in_bytes"), "w") as f:
            f.write(str(self.limit))
        return path

    def find(self):
        """The path of this student's cgroup if it exists (after a hub restart), else None."""
        for root in (self.V2_ROOT, self.V1_ROOT):
            path = os.path.join(root, self.PARENT, self.name)
            if os.path.isdir(path):
                self.path = path
                return path
        return None

    def join(self):
        """Move the calling process into the cgroup (called between fork and exec)."""
        if self.path:
            with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))

    def remove(self):
        """Remove the cgroup once its processes are gone (an empty cgroup is just a folder)."""
        if self.path:
            try:
                os.rmdir(self.path)
            except OSError:
                pass


class ClassroomSpawner(LocalProcessSpawner):
    """LocalProcessSpawner with TLJH-style users made on first login, or one shared user."""

    system_user_prefix = Unicode(
        "jupyter-", config=True,
        help="Prefix of the system user made for each student when the hub runs as root (TLJH's).")
    shared_home_root = Unicode(
        "", config=True,
        help="Without root: the folder holding one home per student (all run as the hub's user).")
    classroom_id = Unicode(
        "", config=True,
        help="Put into every student process's environment as SPORELAB_CLASSROOM_ID.")
    runtime_root = Unicode(
        "", config=True,
        help="The folder holding each student's private runtime folder (kernel connection files "
             "and sockets); short, as Unix socket paths are. Default: default_runtime_root().")

    @property
    def system_user(self):
        """The system user this student's server runs as (root: prefixed; else the hub's user)."""
        if not isolating():
            return pwd.getpwuid(os.geteuid()).pw_name
        name = f"{self.system_user_prefix}{self.user.name}"
        if not SYSTEM_NAME.match(name):
            raise ValueError(f"system user name {name!r} is not a valid Linux user name "
                             f"(lower-case letters, digits, '-' or '_', at most 32 characters)")
        return name

    @property
    def home(self):
        if isolating():
            return pwd.getpwnam(self.system_user).pw_dir
        return os.path.join(self.shared_home_root, self.user.name)

    @property
    def runtime_dir(self):
        """This student's runtime folder: ``<runtime_root>/<uid>`` (root) or ``/<name>``."""
        key = pwd.getpwnam(self.system_user).pw_uid if isolating() else self.user.name
        return student_runtime_dir(key, self.runtime_root)

    def fresh_runtime_dir(self):
        """An empty runtime folder only the student can use (0700), under a root only the hub's
        user can write to; what a server left there before is gone.

        Raises:
            RuntimeError: if the folder is too long for a kernel's socket paths, or cannot be made.
        """
        path = self.runtime_dir
        socket_path = len(os.fsencode(path)) + KERNEL_SOCKET_NAME
        if socket_path > UNIX_SOCKET_PATH_MAX:
            raise RuntimeError(
                f"the runtime folder {path!r} is too long for a kernel's socket paths "
                f"({socket_path} of at most {UNIX_SOCKET_PATH_MAX} bytes): set "
                f"ClassroomSpawner.runtime_root to a shorter folder")
        private_folder(os.path.dirname(path), 0o755 if isolating() else 0o700)
        shutil.rmtree(path, ignore_errors=True)
        if isolating():
            entry = pwd.getpwnam(self.system_user)
            return private_folder(path, 0o700, entry.pw_uid, entry.pw_gid)
        return private_folder(path, 0o700)

    def _cgroup(self):
        return MemoryCgroup(self.system_user, self.mem_limit or 0)

    def ensure_home(self):
        """Create the student's system user and home (0700) on first use; idempotent."""
        if not isolating():
            os.makedirs(self.home, mode=0o700, exist_ok=True)
            return self.home
        name = self.system_user
        try:
            pwd.getpwnam(name)
        except KeyError:
            self.log.info("Creating system user %s for student %s", name, self.user.name)
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash",
                            "--comment", f"sporelab student {self.user.name}", name],
                           check=True, capture_output=True, timeout=60)
        home = pwd.getpwnam(name).pw_dir
        os.chmod(home, 0o700)
        return home

    async def start(self):
        await asyncio.to_thread(self.ensure_home)
        await asyncio.to_thread(self.fresh_runtime_dir)
        self.cgroup = self._cgroup()
        await asyncio.to_thread(self.cgroup.create)
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now=now)
        cgroup = getattr(self, "cgroup", None) or self._cgroup()
        if cgroup.path is None:
            cgroup.find()            # a server started before a hub restart
        cgroup.remove()
        self.remove_runtime_dir()

    def remove_runtime_dir(self):
        """Remove the student's runtime folder (their server and kernels are gone)."""
        try:
            path = self.runtime_dir
        except KeyError:             # the student's system user is gone already
            return
        shutil.rmtree(path, ignore_errors=True)

    def make_preexec_fn(self, name):
        cgroup = getattr(self, "cgroup", None)
        home = self.home
        if isolating():
            as_student = set_user_setuid(self.system_user)

            def preexec():
                if cgroup is not None:
                    cgroup.join()
                as_student()
            return preexec

        def preexec():
            os.chdir(home)
        return preexec

    def user_env(self, env):
        env["USER"] = self.system_user
        env["HOME"] = self.home
        env["SHELL"] = shutil.which("bash") or "/bin/sh"
        env["JUPYTER_RUNTIME_DIR"] = self.runtime_dir
        if self.classroom_id:
            env["SPORELAB_CLASSROOM_ID"] = self.classroom_id
        return env

    def move_certs(self, paths):
        return paths      # no internal TLS in the classroom kit
