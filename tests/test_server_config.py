"""binder/jupyter_server_config.py: every Jupyter server of a sporelab environment sends kernel
messages without Nagle's delay (Binder, `make lab`, the tests, the classroom's student servers).

The delay itself is timing (measured in benchmarks/bench_kernel_websocket.py, never asserted);
here: the environment's servers load the connection class, and the class switches Nagle off on the
kernel websocket before jupyter_server connects it.
"""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "binder" / "jupyter_server_config.py"

pytest.importorskip("jupyter_server")


def _load():
    from traitlets.config.loader import PyFileConfigLoader
    return PyFileConfigLoader(CONFIG.name, str(CONFIG.parent)).load_config()


def test_the_config_names_the_no_delay_connection_class():
    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
    cls = _load().ServerApp.kernel_websocket_connection_class
    assert cls.__name__ == "NoDelayKernelWebsocketConnection"
    assert issubclass(cls, ZMQChannelsWebsocketConnection)


def test_a_gateway_server_keeps_jupyter_servers_own_connection_class(monkeypatch):
    monkeypatch.setenv("JUPYTER_GATEWAY_URL", "http://gw:8888")
    assert "kernel_websocket_connection_class" not in _load().ServerApp


def test_connect_switches_nagle_off_before_jupyter_server_connects(monkeypatch):
    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
    calls = []
    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "connect", lambda self: calls.append("connect") or "future")
    handler = KernelWebsocketHandler.__new__(KernelWebsocketHandler)     # no request: only its socket flag
    handler.set_nodelay = lambda value: calls.append(("nodelay", value))
    connection = _load().ServerApp.kernel_websocket_connection_class(websocket_handler=handler)
    assert connection.connect() == "future"
    assert calls == [("nodelay", True), "connect"]


def test_this_environments_jupyter_server_loads_it():
    """What `make` installed (binder/postBuild into .venv/etc/jupyter): a server started from this
    environment, with no user config, uses the class."""
    installed = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.py"
    assert installed.is_file() and installed.read_text() == CONFIG.read_text(), (
        f"{installed} is missing or stale: run `make venv-test` (binder/postBuild installs it)")
    out = subprocess.run([sys.executable, "-m", "jupyter_server", "--show-config"], capture_output=True,
                         text=True, timeout=120, cwd=REPO, check=True).stdout
    assert "kernel_websocket_connection_class = <class 'NoDelayKernelWebsocketConnection'>" in out, out[-2000:]
