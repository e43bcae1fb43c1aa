"""JupyterHub configuration of the sporelab classroom (started by ``serve.py``; see README).

JupyterHub loads this file by its path and the spawner by its module path (as TLJH names
``tljh.spawner``): ``serve.py`` starts the hub with the repository root on ``PYTHONPATH``, so the
``classroom`` package imports like any other. The hub keeps that variable to itself: the
spawner's ``env_keep`` leaves it out, so a student's server finds sporelab in the students'
environment (student_env.py), never in the teacher's checkout.

Everything specific to one class comes from the settings file that ``serve.py`` writes
(``SPORELAB_CLASSROOM_SETTINGS``: ports, folders, prefix, memory limit) and from its secrets file
(mode 0600: the workshop's class password, teacher password, proxy token, admin token), so that no
secret travels through an environment variable a student's server could inherit. Students' own
passwords are scrypt hashes in ``private/passwords.json`` (authenticator.py, credentials.py).

Choices, each measured (docs/DESIGN-notes.md, "Issue 9"):
- the proxy is an external configurable-http-proxy that ``serve.py`` starts, so it outlives a
  crashed hub: students keep working while the hub restarts;
- ``start_timeout`` 600 s: 20 students logging in at once on 2 cores wait about 50 s each
  (4.7 CPU-s per start), so a class of 100 on 8 cores needs about 60 s and a 2-core laptop with a
  whole class far more than the default 60 s;
- ``mem_limit`` 1 GiB per student: a server (≈ 130-160 MB) with all four labs open (≈ 110-120 MB
  per kernel) peaks at ≈ 0.63 GB; 1 GiB leaves room for a student's own experiments while one
  runaway tensor kills only that student's kernel.
"""

import json
import os

import classroom
from classroom.env_vars import SETTINGS

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

settings = json.load(open(os.environ[SETTINGS]))
secrets = json.load(open(settings["secrets_file"]))
state = settings["state_dir"]

# --- network: everything on the given interface, the proxy external ---------------------------
scheme = "https" if settings.get("tls") else "http"     # TLS ends at the proxy (serve.py, tls.py)
c.JupyterHub.bind_url = f"{scheme}://{settings['ip']}:{settings['port']}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings["hub_port"]
c.ConfigurableHTTPProxy.should_start = False
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
c.ConfigurableHTTPProxy.auth_token = secrets["proxy_token"]
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
c.JupyterHub.db_url = "sqlite:///" + os.path.join(state, "jupyterhub.sqlite")
c.JupyterHub.pid_file = os.path.join(state, "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True       # a clean stop (Ctrl-C) stops every student's server

# --- who gets in: a password per student (roster or first use); WORKSHOP=1 one for everyone ----
c.Authenticator.admin_users = {settings["teacher"]}
if settings.get("workshop"):
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = secrets["class_password"]
    c.SharedPasswordAuthenticator.admin_password = secrets["teacher_password"]
    c.Authenticator.allow_all = True
else:
    c.JupyterHub.authenticator_class = "classroom.authenticator.ClassroomAuthenticator"
    c.ClassroomAuthenticator.private_dir = state
    c.ClassroomAuthenticator.first_use = not settings["roster"]
    c.Authenticator.allowed_users = set(settings["roster"])
    for trait, value in settings.get("throttle", {}).items():     # the tests' shorter delays
        setattr(c.ClassroomAuthenticator, trait, value)
    # The admin page's nav bar links the teacher's reset page (templates/page.html).
    c.JupyterHub.template_paths = [os.path.join(os.path.dirname(classroom.__file__), "templates")]
    c.JupyterHub.template_vars = {"classroom_passwords": True}
if settings.get("tls"):
    # The hub's own cookies are Secure once CHP says https (X-Forwarded-Proto); its _xsrf cookie
    # only with this (measured: classroom-auth-facts B).
    c.JupyterHub.tornado_settings = {"cookie_options": {"secure": True},
                                     "xsrf_cookie_kwargs": {"secure": True}}
# Student names become system user names (with a prefix): lower-case, short, no surprises.
c.Authenticator.username_pattern = r"^[a-z][a-z0-9_-]{0,15}$"

# Scripts (serve.py, the tests, a teacher's tools) use one admin token; the idle culler its own.
c.JupyterHub.services = [
    {"name": "classroom-admin", "api_token": secrets["admin_token"]},
    {"name": "idle-culler", "api_token": secrets["culler_token"]},
]
c.JupyterHub.load_roles = [
    {"name": "admin", "services": ["classroom-admin"]},
    {"name": "idle-culler", "services": ["idle-culler"],
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
]

# --- each student's server ----------------------------------------------------------------------
c.JupyterHub.spawner_class = "classroom.classroom_spawner.ClassroomSpawner"
c.ClassroomSpawner.system_user_prefix = settings["user_prefix"]
c.ClassroomSpawner.shared_home_root = settings["homes_dir"]
c.ClassroomSpawner.classroom_id = settings["classroom_id"]
c.Spawner.cmd = [os.path.join(settings["bin_dir"], "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = settings["start_timeout"]
c.Spawner.http_timeout = 120
c.Spawner.mem_limit = settings["mem_limit"]
student_env = {
    "PATH": os.pathsep.join([settings["bin_dir"], "/usr/local/bin", "/usr/bin", "/bin"]),
    # The lean student configuration (no teacher-only server extensions, no news prompt).
    "JUPYTER_CONFIG_PATH": settings["student_config"],
    # ipywidgets 8 echoes every control change back to the browser, for several views of one
    # kernel kept in sync; a student's kernel has one viewer, and the echo is one more message per
    # change through the kernel, the server and the proxy (benchmarks/classroom_load.py).
    "JUPYTER_WIDGETS_ECHO": "0",
}
if settings.get("git_config"):
    # A local upstream repository (file:// or a path) is owned by the teacher: git refuses to
    # clone it as a student ("dubious ownership") unless it is listed as safe.
    student_env["GIT_CONFIG_SYSTEM"] = settings["git_config"]
c.Spawner.environment = student_env
if settings.get("tls"):
    # The student server's _xsrf cookie is not Secure by itself (classroom-auth-facts B).
    c.Spawner.args = ['--ServerApp.tornado_settings={"xsrf_cookie_kwargs": {"secure": True}}']  # a Python literal
