"""Refuse kernel websockets that do not speak the v1 protocol (standalone Voila only).

Voila 0.5's websocket handler reads every outgoing *binary* frame as the
``v1.kernel.websocket.jupyter.org`` format. A client that connects without asking for that
subprotocol gets Jupyter's legacy format instead, and the first binary message sent to it
(any picture update) makes Voila loop over a bogus offset count: the server stops answering
everyone and its memory grows (seen: 95 -> 392 MiB in 15 s). Browsers always ask for v1, so
only a hand-made client triggers it - one is enough to freeze a classroom's server.

Use::

    PYTHONPATH=deploy voila --Voila.kernel_websocket_connection_class=voila_guard.V1OnlyConnection ...

(``make dashboard`` does this; tests/test_security.py checks it.) Voila running as a Jupyter
Server extension (Binder, JupyterHub) uses Jupyter Server's own handler, which is not affected.
"""
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

V1 = "v1.kernel.websocket.jupyter.org"


class V1OnlyConnection(ZMQChannelsWebsocketConnection):
    """A kernel connection that closes at once unless the client negotiated the v1 protocol."""

    def connect(self):
        if self.subprotocol != V1:
            self.log.warning("Refusing a kernel websocket without the %s subprotocol.", V1)
            self.websocket_handler.close(1002, f"this server only speaks {V1}")
            return None
        return super().connect()

    def handle_incoming_message(self, incoming_msg):
        if self.subprotocol != V1:  # closed in connect(); ignore anything that raced in
            return None
        return super().handle_incoming_message(incoming_msg)
