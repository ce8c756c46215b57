"""A loopback HTTP proxy that loses, duplicates and delays requests and responses.

Each request takes the next fault from a script (then "ok" forever):

- ``drop_request``: the connection closes before anything reaches the server;
- ``drop_response``: the server handles it (and commits), the client never hears;
- ``duplicate``: the server receives it twice; the client sees the second answer;
- ``delay``: the answer arrives late.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx


class FaultyProxy:
    def __init__(self, upstream: str, faults: Iterable[str] = ()) -> None:
        self.upstream = upstream
        self.faults: deque[str] = deque(faults)
        self.log: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self.http = httpx.Client(base_url=upstream, timeout=60)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fault = proxy.next_fault()
                proxy.log.append((self.command, self.path, fault))
                if fault == "drop_request":
                    self.close_connection = True
                    return
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length", "connection")}
                times = 2 if fault == "duplicate" else 1
                for _ in range(times):
                    response = proxy.http.request(self.command, self.path, content=body,
                                                  headers=headers)
                if fault == "drop_response":
                    self.close_connection = True
                    return
                if fault == "delay":
                    time.sleep(0.5)
                self.send_response(response.status_code)
                for key, value in response.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection",
                                           "content-encoding"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)

            do_GET = do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def next_fault(self) -> str:
        with self._lock:
            return self.faults.popleft() if self.faults else "ok"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.http.close()
