"""The students' memory cgroups: a runaway kernel is killed alone, not the class server.

Run by root, each student's server and every kernel it starts run in a memory cgroup of their own
(``sporelab-classroom/<system user>``), limited to ``Spawner.mem_limit`` where the kernel offers
one: cgroup v2, or v1's memory controller. Elsewhere the limit is only advertised
(``MEM_LIMIT``), not enforced.

>>> MemoryCgroup("jupyter-ann", 0).create() is None       # no limit asked: no cgroup
True
"""

import os

from classroom import users

V2_ROOT = "/sys/fs/cgroup"
V1_ROOT = "/sys/fs/cgroup/memory"


def writable_memory_controller(v2_root=V2_ROOT, v1_root=V1_ROOT):
    """Which memory controller this process could make cgroups in: "v2", "v1" or None.

    A property of the machine, not of any spawner: the hub tests decide from it whether a student's
    server must be in a cgroup. Nothing is created.
    """
    controllers = os.path.join(v2_root, "cgroup.controllers")
    if os.path.exists(controllers):
        with open(controllers) as f:
            if "memory" in f.read().split() and os.access(v2_root, os.W_OK):
                return "v2"
        return None
    if os.path.isdir(v1_root) and os.access(v1_root, os.W_OK):
        return "v1"
    return None


class MemoryCgroup:
    """A memory cgroup for one student: ``path`` is None where none can be made (not root, no
    writable memory controller); then the limit is only advertised (``MEM_LIMIT``), not enforced.
    """

    V2_ROOT = V2_ROOT
    V1_ROOT = V1_ROOT
    PARENT = "sporelab-classroom"

    def __init__(self, name, limit_bytes):
        self.name, self.limit = name, int(limit_bytes)
        self.path = None

    def create(self):
        """Make the cgroup and set its limit; returns the path or None (never raises)."""
        if not self.limit or not users.isolating():
            return None
        kind = writable_memory_controller(self.V2_ROOT, self.V1_ROOT)
        try:
            self.path = {"v2": self._create_v2, "v1": self._create_v1}[kind]() if kind else None
        except OSError:
            self.path = None
        return self.path

    def _create_v2(self):
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
