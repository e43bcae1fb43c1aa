"""The spawner of the sporelab classroom: one isolated JupyterLab per student, as on TLJH.

Run by root (a class server), each student gets a system user ``<prefix><name>`` (TLJH's prefix
``jupyter-`` by default), created on the first login with a home that only they can read (mode
0700); their server and every kernel it starts run as that user, in a memory cgroup of its own
limited to ``Spawner.mem_limit`` where the kernel offers one (cgroup v2, or v1's memory
controller). Run by a normal user (a teacher trying the kit on a laptop), every server runs as that
user, with homes under ``shared_home_root``: no isolation, and ``serve.py`` says so at start.

Every process of a classroom carries ``SPORELAB_CLASSROOM_ID`` (``env_vars.MARKER``) in its
environment, so that the kit (and its tests) can find and stop all of them, even servers a crashed
hub left running.

Each student's server also gets a private runtime folder (``JUPYTER_RUNTIME_DIR``): see
``classroom.folders``. The users, folders and cgroups are each managed by a module of their own
(``users``, ``folders``, ``cgroups``); this module only puts them together for JupyterHub, which
loads it by its module path (``jupyterhub_config.py``).

>>> ClassroomSpawner.system_user_prefix.default_value
'jupyter-'
"""

import asyncio
import os
import pwd
import shutil

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Unicode, default

from classroom import folders, users
from classroom.cgroups import MemoryCgroup
from classroom.env_vars import MARKER


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
        help=f"Put into every student process's environment as {MARKER}.")
    runtime_root = Unicode(
        "", config=True,
        help="The folder holding each student's private runtime folder (kernel connection files "
             "and sockets); short, as Unix socket paths are. Default: "
             "classroom.folders.default_runtime_root().")

    @default("env_keep")
    def _env_keep_default(self):
        # serve.py starts the hub with the repository on PYTHONPATH (for this package); a student's
        # server finds sporelab in the students' environment, never in the teacher's checkout.
        return [key for key in super()._env_keep_default() if key != "PYTHONPATH"]

    @property
    def system_user(self):
        """The system user this student's server runs as (root: prefixed; else the hub's user)."""
        if not users.isolating():
            return pwd.getpwuid(os.geteuid()).pw_name
        return users.system_user_name(self.system_user_prefix, self.user.name)

    @property
    def home(self):
        if users.isolating():
            return pwd.getpwnam(self.system_user).pw_dir
        return os.path.join(self.shared_home_root, self.user.name)

    @property
    def runtime_dir(self):
        """This student's runtime folder: ``<runtime_root>/<uid>`` (root) or ``/<name>``."""
        key = pwd.getpwnam(self.system_user).pw_uid if users.isolating() else self.user.name
        return folders.student_runtime_dir(key, self.runtime_root)

    def fresh_runtime_dir(self):
        """The student's runtime folder, empty, private to them (``folders.fresh_runtime_dir``)."""
        if users.isolating():
            entry = pwd.getpwnam(self.system_user)
            return folders.fresh_runtime_dir(self.runtime_dir, entry.pw_uid, entry.pw_gid)
        return folders.fresh_runtime_dir(self.runtime_dir)

    def _cgroup(self):
        return MemoryCgroup(self.system_user, self.mem_limit or 0)

    def ensure_home(self):
        """Create the student's system user and home (0700) on first use; idempotent."""
        if not users.isolating():
            os.makedirs(self.home, mode=0o700, exist_ok=True)
            return self.home
        return users.ensure_user(self.system_user, f"sporelab student {self.user.name}", self.log)

    def stop_leftovers(self, timeout=10):
        """Stop this student's processes of this class that the hub does not know about.

        A hub killed while it was starting a server never recorded it; started again, the hub
        would start a second one beside it. Found by the classroom's marker and the student's
        name in their environment. Returns the PIDs stopped.
        """
        import psutil
        if not self.classroom_id:
            return []
        mine = []
        for proc in psutil.process_iter():
            try:
                env = proc.environ()
            except (psutil.Error, OSError):
                continue
            if env.get(MARKER) == self.classroom_id and env.get("JUPYTERHUB_USER") == self.user.name:
                mine.append(proc)
        for proc in mine:
            self.log.warning("Stopping a leftover process %s of %s", proc.pid, self.user.name)
            try:
                proc.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(mine, timeout=timeout)
        return [p.pid for p in mine]

    async def start(self):
        await asyncio.to_thread(self.stop_leftovers)
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
        if users.isolating():
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
            env[MARKER] = self.classroom_id
        return env

    def move_certs(self, paths):
        return paths      # no internal TLS in the classroom kit
