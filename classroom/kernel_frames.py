"""Kernel messages as the JupyterLab 4 websocket protocol frames them (``v1.kernel.websocket.jupyter.org``).

Shared by the scripted student (classroom/student_client.py) and the websocket benchmark
(benchmarks/bench_kernel_websocket.py); no network code here, only bytes. jupyter_server's own
encoder is the oracle (tests/classroom/test_hub.py).
"""

import json
import time
import uuid

WS_V1 = "v1.kernel.websocket.jupyter.org"


def pack_v1(msg, channel):
    """A kernel message as a v1 websocket frame: part offsets, the channel, then the JSON parts."""
    parts = [json.dumps(msg[key]).encode() for key in ("header", "parent_header", "metadata", "content")]
    offsets = [8 * (len(parts) + 3)]
    for part in [channel.encode(), *parts]:
        offsets.append(offsets[-1] + len(part))
    return b"".join([len(offsets).to_bytes(8, "little"), *(o.to_bytes(8, "little") for o in offsets),
                     channel.encode(), *parts])


_SKIP_CONTENT = ("comm_msg", "comm_open", "comm_close")    # widget traffic: nothing the client reads


def unpack_v1(frame):
    """The message of a v1 websocket frame: {"channel", "msg_type", "parent_header", "content"}.

    A widget message's content (a figure, kilobytes of JSON) is not decoded: a browser would draw
    it on the student's machine, and decoding it here would charge the class server for it.
    """
    count = int.from_bytes(frame[:8], "little")
    offsets = [int.from_bytes(frame[8 * (i + 1):8 * (i + 2)], "little") for i in range(count)]
    part = [frame[offsets[i]:offsets[i + 1]] for i in range(count - 1)]
    header = json.loads(part[1])
    content = {} if header["msg_type"] in _SKIP_CONTENT else json.loads(part[4])
    return {"channel": part[0].decode(), "msg_type": header["msg_type"], "header": header,
            "parent_header": json.loads(part[2]), "content": content}


def shell_message(msg_type, content, session, username):
    """A shell-channel request from a client of ``session`` (a new msg_id), as a dict."""
    return {"header": {"msg_id": uuid.uuid4().hex, "session": session, "username": username,
                       "msg_type": msg_type, "version": "5.3",
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [], "content": content}


def widget_update(comm_id, state):
    """The content of the comm message a browser sends when a student sets ``state`` on a widget."""
    return {"comm_id": comm_id, "data": {"method": "update", "state": state, "buffer_paths": []}}
