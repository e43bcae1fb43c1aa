"""nbgrader's student server extensions (Validate, the Assignments list), imported on first use.

``import nbgrader`` loads all of nbgrader: its apps, the gradebook (SQLAlchemy), nbconvert's
exporters. Loaded at start by nbgrader's own ``validate_assignment`` and ``assignment_list``
extensions, that is about 40 MB in every student's server (measured: a bare student server 83 MB
with neither, 126 MB with both), though most students never press Validate. This extension
registers the same routes with handlers that import nbgrader's real handler the first time a
student uses it; the version check the Lab plugin makes on every page load answers without
nbgrader at all. Configured by classroom/student/jupyter_server_config.py, which switches
nbgrader's own two extensions off; student_env.py installs this module into the students'
environment.
"""

import importlib
import importlib.metadata
import json

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

_EXT = "nbgrader.server_extensions."
# nbgrader 0.9's routes (validate_assignment/handlers.py, assignment_list/handlers.py).
ROUTES = [
    (r"/assignments", _EXT + "assignment_list.handlers:AssignmentListHandler"),
    (r"/assignments/validate", _EXT + "validate_assignment.handlers:ValidateAssignmentHandler"),
    (r"/assignments/(?P<action>fetch|submit|fetch_feedback)",
     _EXT + "assignment_list.handlers:AssignmentActionHandler"),
    (r"/courses", _EXT + "assignment_list.handlers:CourseListHandler"),
]

_server = None


def _real_handler(target):
    module, name = target.split(":")
    if "assignment_list" in module and "assignment_list_manager" not in _server.web_app.settings:
        manager = importlib.import_module(module).AssignmentList(parent=_server)
        manager.root_dir = _server.root_dir
        _server.web_app.settings["assignment_list_manager"] = manager
    return getattr(importlib.import_module(module), name)


def _lazy(target):
    """A handler class whose instances are nbgrader's real handler (``target``), imported when first used."""
    class Lazy(JupyterHandler):
        def __new__(cls, *args, **kwargs):
            return _real_handler(target)(*args, **kwargs)
    Lazy.__name__ = "Lazy" + target.rsplit(":", 1)[1]
    return Lazy


class VersionHandler(JupyterHandler):
    """nbgrader's version check (the Lab plugin's, on every page load), without importing nbgrader."""

    @web.authenticated
    def get(self):
        ui, server = self.get_argument("version"), importlib.metadata.version("nbgrader")
        if ui == server:
            self.finish(json.dumps({"success": True}))
            return
        message = (f"The version of the Validate labextension does not match the server extension; the "
                   f"labextension version is {ui} while the server version is {server}.")
        self.log.error(message)
        self.finish(json.dumps({"success": False, "message": message}))


def _jupyter_server_extension_points():
    return [{"module": "sporelab_lazy_nbgrader"}]


def _load_jupyter_server_extension(serverapp):
    global _server
    _server = serverapp
    serverapp.web_app.settings["root_dir"] = serverapp.root_dir
    base = serverapp.web_app.settings["base_url"]
    handlers = [(url_path_join(base, pattern), _lazy(target)) for pattern, target in ROUTES]
    handlers.append((url_path_join(base, r"/nbgrader_version"), VersionHandler))
    serverapp.web_app.add_handlers(".*$", handlers)
