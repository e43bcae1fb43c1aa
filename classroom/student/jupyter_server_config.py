"""Every student's JupyterLab in the classroom (copied into the students' environment by student_env.py
and found through JUPYTER_CONFIG_PATH, so a student's
own ~/.jupyter still wins): lean, quiet, and tidy about idle kernels.

- The news prompt is silenced by binder/overrides.json, which classroom/student_env.py installs
  into the students' environment by running Binder's own postBuild.
- Server extensions a student does not use are off: the language-server bridge (jupyter_lsp) and
  the Notebook 7 app (less to start and to expose; measured, they change the server's RSS by less
  than 1 MB: what keeps a student's server at ~131 MB is that the students' environment has no
  teacher tools such as nbgrader's formgrader, see docs/DESIGN-notes.md).
- Kernels idle for an hour are shut down by the server itself; whole servers idle for an hour
  are stopped by the hub's idle culler (serve.py).
- Kernels talk to the server over Unix sockets in the student's private runtime folder (mode 0700,
  made by the classroom's spawner), not TCP ports on 127.0.0.1: another student on the machine
  cannot reach them (over TCP anyone could subscribe to a kernel's output), and kernels starting
  at the same moment in many servers cannot draw the same free port (jupyter_client picks a port
  by binding and releasing it; a kernel that loses the race dies, and its restarts reuse the same
  ports). Kept on TCP where the runtime folder is too long for a socket path (107 bytes).
"""

import os

from jupyter_core.paths import jupyter_runtime_dir

c = get_config()  # noqa: F821  (provided by Jupyter when it loads this file)

KERNEL_SOCKET_NAME = len("/kernel-") + 36 + len("-ipc-") + 1     # /kernel-<uuid>-ipc-<n>
if len(os.fsencode(jupyter_runtime_dir())) + KERNEL_SOCKET_NAME <= 107:
    c.KernelManager.transport = "ipc"

# One dict: Jupyter does not merge jpserver_extensions across config files (a JSON file beside this
# one would replace it whole), so nbgrader's teacher-only extensions are listed here too; they are
# those classroom/nbgrader/student/jupyter_server_config.json switches off for `make lab`.
c.ServerApp.jpserver_extensions = {
    "jupyter_lsp": False, "notebook": False,
    "nbgrader.server_extensions.formgrader": False,    # teacher only
    "nbgrader.server_extensions.course_list": False,   # teacher only
    # Validate and the Assignments list, imported when a student first uses them (about 40 MB less
    # per student): sporelab_lazy_nbgrader serves nbgrader's routes in their place.
    "nbgrader.server_extensions.validate_assignment": False,
    "nbgrader.server_extensions.assignment_list": False,
    "sporelab_lazy_nbgrader": True,
}
c.MappingKernelManager.cull_idle_timeout = 3600
c.MappingKernelManager.cull_interval = 300
