"""Every Jupyter server started from a sporelab environment (Binder, `make lab`, the tests, the
classroom's student servers): kernel messages reach the browser as soon as they are written.

binder/postBuild copies this file to ``<environment>/etc/jupyter/jupyter_server_config.py``, where
every Jupyter server of that environment reads it (a user's own ~/.jupyter still wins).

Why: jupyter_server writes kernel messages to the browser's websocket without TCP_NODELAY, so
Nagle's algorithm holds a small frame back while an earlier one is not yet acknowledged, and the
browser acknowledges late (delayed ACK, 40 ms on Linux). A widget change answers with several small
frames in a burst (status busy, the figure, status idle): measured on 127.0.0.1 with a client
sending a change every 10 ms, the idle status came 46 ms after the change instead of 6 ms, and a
class of students waits for it on every slider move (docs/DESIGN-notes.md, issue 11). tornado
leaves the flag to the application (``WebSocketHandler.set_nodelay``); this connection class sets
it when the kernel websocket opens. A server that talks to a kernel gateway (JUPYTER_GATEWAY_URL)
keeps jupyter_server's own choice of connection class.
"""

import os

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection


class NoDelayKernelWebsocketConnection(ZMQChannelsWebsocketConnection):
    """jupyter_server's kernel websocket connection, with Nagle's algorithm off on its socket."""

    def connect(self):
        self.websocket_handler.set_nodelay(True)
        return super().connect()


c = get_config()  # noqa: F821  (provided by Jupyter when it loads this file)
if not os.environ.get("JUPYTER_GATEWAY_URL"):
    c.ServerApp.kernel_websocket_connection_class = NoDelayKernelWebsocketConnection
