"""The sporelab classroom: a class served for real by JupyterHub (``make classroom``).

One module per concern, as The Littlest JupyterHub keeps one per system it manages:

- ``serve``: the launcher (proxy, hub, idle culler) and ``Classroom``, what the tests drive;
- ``jupyterhub_config.py``: the hub's configuration, loaded by JupyterHub from its path;
- ``classroom_spawner``: the spawner, one JupyterLab per student;
- ``users``, ``folders``, ``cgroups``: the students' system users, private runtime folders and
  memory cgroups, which the spawner manages;
- ``env_vars``: the environment variables the classroom's own processes share;
- ``authenticator``: who gets in (a password per student, slow guessing), with ``roster`` (the
  roster CSV), ``credentials`` (issued passwords, slips, resets), ``passwords`` (the scrypt
  store), ``throttle`` (the waits); ``tls``: HTTPS at the proxy and when plain HTTP is refused;
- ``student_env``: the students' Python environment; ``student/``: what is copied into it (the
  students' server configuration, standalone: this package is not importable there);
- ``student_client``, ``kernel_frames``: a scripted student (tests, load benchmark);
- ``assignments``: the labs as nbgrader assignments.

Commands run from the repository root, as modules: ``python -m classroom.serve``,
``python -m classroom.student_env ensure``, ``python -m classroom.assignments release``.
"""
