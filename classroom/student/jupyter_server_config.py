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
"""

c = get_config()  # noqa: F821  (provided by Jupyter when it loads this file)

c.ServerApp.jpserver_extensions = {"jupyter_lsp": False, "notebook": False}
c.MappingKernelManager.cull_idle_timeout = 3600
c.MappingKernelManager.cull_interval = 300
