"""A loopback HTTP proxy that loses, duplicates and delays requests and responses.

Each request takes the next fault from a script (then "ok" forever):

- ``drop_request``: the connection closes before anything reaches the server;
- ``drop_response``: the server handles it (and commits), the client never hears;
- ``duplicate``: the server receives it twice; the client sees the second answer;
- ``delay``: the answer arrives late;
- ``busy:N`` / ``busy-date:N``: the proxy answers 503 itself, with ``Retry-After`` of N
  seconds, as a number or as an HTTP date;
- ``fail``: the proxy answers 502 itself, with no ``Retry-After``.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterable
from email.utils import formatdate
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
                if fault.startswith(("busy", "fail")):
                    self._answer_itself(fault)
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

            def _answer_itself(self, fault: str) -> None:
                kind, _, seconds = fault.partition(":")
                body = json.dumps({"error": {"code": kind, "message": kind}}).encode()
                self.send_response(502 if kind == "fail" else 503)
                if kind == "busy":
                    self.send_header("Retry-After", seconds)
                elif kind == "busy-date":
                    self.send_header("Retry-After",
                                     formatdate(time.time() + float(seconds), usegmt=True))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

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
