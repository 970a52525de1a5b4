"""A loopback TCP relay in front of two servers on one database: each new connection goes to the first
while its process lives, then to the standby. With the first started under PAYDESK_FAULT, the answer
to the request that reaches the fault is lost (the connection just closes), and the client's next try
reaches a live server at the same address, as after a restart."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

from tests.support.stub import StubServer


def _address(server: StubServer) -> tuple[str, int]:
    host, port = server.base_url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    for sock in (source, sink):  # either side gone: the connection is over for both
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class Relay:
    def __init__(self, first: StubServer, standby: StubServer) -> None:
        assert first.process is not None, "the first server must be a process (it is the one that dies)"
        self.first, self.standby = first, standby
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.first_connections = 0
        self.standby_connections = 0
        self._open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, name="relay", daemon=True)

    def _upstream(self) -> socket.socket:
        assert self.first.process is not None
        if self.first.process.poll() is None:
            with contextlib.suppress(ConnectionRefusedError):
                sock = socket.create_connection(_address(self.first), timeout=5)
                self.first_connections += 1
                return sock
        self.standby_connections += 1
        return socket.create_connection(_address(self.standby), timeout=5)

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = self._listener.accept()
                upstream = self._upstream()
                upstream.settimeout(None)
                self._open += [client, upstream]
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=_pump, args=(a, b), daemon=True).start()

    @contextlib.contextmanager
    def running(self) -> Iterator[Relay]:
        self._thread.start()
        try:
            yield self
        finally:
            self._listener.close()
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.close()
