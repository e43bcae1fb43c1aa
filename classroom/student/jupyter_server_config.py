"""Every student's JupyterLab in the classroom (copied into the students' environment by student_env.py
and found through JUPYTER_CONFIG_PATH, so a student's
own ~/.jupyter still wins): lean, quiet, and tidy about idle kernels.

- The news prompt is silenced by binder/overrides.json, which classroom/student_env.py installs
  into the students' environment by running Binder's own postBuild.
- Server extensions a student does not use are off: the language-server bridge (jupyter_lsp) and
  the classic Notebook 7 app; each costs every student's server memory (docs/DESIGN-notes.md).
- Kernels idle for an hour are shut down by the server itself; whole servers idle for an hour
  are stopped by the hub's idle culler (serve.py).
"""

c = get_config()  # noqa: F821  (provided by Jupyter when it loads this file)

c.ServerApp.jpserver_extensions = {"jupyter_lsp": False, "notebook": False}
c.MappingKernelManager.cull_idle_timeout = 3600
c.MappingKernelManager.cull_interval = 300
