"""The students' private runtime folders: where their kernels' keys and sockets live.

Each student's server gets a runtime folder of its own (``JUPYTER_RUNTIME_DIR``, mode 0700, owned
by the student, short enough for Unix socket paths), where its kernels' connection files and, with
the student configuration's IPC transport, their sockets live: no other student can reach a
kernel, and kernels starting at the same moment in twenty servers cannot collide on a TCP port.

>>> student_runtime_dir(1001, "/run/sporelab-classroom")
'/run/sporelab-classroom/1001'
"""

import os
import shutil
import stat
import tempfile

from classroom import users

UNIX_SOCKET_PATH_MAX = 107          # bytes of a Unix socket path on Linux (sun_path), without its NUL
# What jupyter_client puts after the runtime folder for a kernel's IPC socket: /kernel-<uuid>-ipc-<n>
KERNEL_SOCKET_NAME = len("/kernel-") + 36 + len("-ipc-") + 1


def default_runtime_root():
    """Where the students' runtime folders go: /run/sporelab-classroom as root, else a folder of
    the hub's user under the temporary directory (one user then runs every server anyway)."""
    if users.isolating() and os.path.isdir("/run"):
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
        if users.isolating():
            os.chown(path, uid, gid)
        os.chmod(path, mode)
    except OSError as err:
        raise RuntimeError(f"cannot make the private folder {path!r} (mode {mode:o}, owner {uid}): "
                           f"{err}; remove it or set ClassroomSpawner.runtime_root elsewhere") from err
    return path


def fresh_runtime_dir(path, uid=None, gid=None):
    """An empty runtime folder ``path`` only its owner can use (0700), under a root only the hub's
    user can write to; what a server left there before is gone.

    Raises:
        RuntimeError: if the folder is too long for a kernel's socket paths, or cannot be made.
    """
    socket_path = len(os.fsencode(path)) + KERNEL_SOCKET_NAME
    if socket_path > UNIX_SOCKET_PATH_MAX:
        raise RuntimeError(
            f"the runtime folder {path!r} is too long for a kernel's socket paths "
            f"({socket_path} of at most {UNIX_SOCKET_PATH_MAX} bytes): set "
            f"ClassroomSpawner.runtime_root to a shorter folder")
    private_folder(os.path.dirname(path), 0o755 if users.isolating() else 0o700)
    shutil.rmtree(path, ignore_errors=True)
    return private_folder(path, 0o700, uid, gid)
