"""Which test modules are system tests, and of which kind (issue 20: `make check` leaves them out).

A system test starts something outside the Python process under test: a browser, a JupyterHub, an
MPI world, a Sphinx build of the book, a Binder-like environment, or Jupyter kernels running whole
notebooks. `make test` runs everything; `make check` runs ``-m "not system"``, the fast inner loop.

The root conftest.py marks every test of a module listed here with its kinds and with ``system``.
A new test module that starts one of these things belongs in this table; tests/test_system_marks.py
checks that a module which reaches for Chromium, a hub, mpiexec, Sphinx or nbval is listed.
"""

# path under tests/ (a folder ends with "/") -> the kinds of system it starts
SYSTEM_TESTS = {
    "test_browser.py": ("browser", "notebooks"),
    "widgets/test_figure_browser.py": ("browser",),
    "widgets/test_explorers_browser.py": ("browser",),
    "widgets/test_wheel.py": ("binder",),           # builds a wheel and installs it in a fresh venv
    "classroom/test_hub.py": ("hub",),
    "classroom/test_auth_hub.py": ("hub",),
    "classroom/test_prestart.py": ("hub",),
    "classroom/test_browser_hub.py": ("hub", "browser"),
    "classroom/test_serve.py": ("hub",),           # its last test starts the whole class as `make classroom` does
    "distributed/": ("mpi",),
    "test_book.py": ("book", "browser"),
    "test_binder.py": ("binder", "browser", "notebooks"),
    "test_notebooks.py": ("notebooks",),
    "test_nbgrader.py": ("notebooks",),
    "test_server_config.py": ("notebooks",),        # starts a Jupyter server
}

KINDS = ("browser", "hub", "mpi", "book", "binder", "notebooks")


def kinds_of(relative_path):
    """The system kinds of the test module at ``relative_path`` (posix, relative to tests/)."""
    for key, kinds in SYSTEM_TESTS.items():
        if relative_path == key or (key.endswith("/") and relative_path.startswith(key)):
            return kinds
    return ()
