"""A local webhook receiver for the tests: a real HTTP server on 127.0.0.1 that checks every
delivery's signature with :func:`skywarden.service.webhooks_sign.verify_signature` and counts them.

``fail_first`` answers the first N requests with HTTP 500 (to exercise retries), and
``fail_keys_once`` the first request for each of these alert event keys. Deliveries it
acknowledged (2xx) are in ``accepted``; every request (also failed ones) in ``requests``.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from skywarden.service.webhooks_sign import DELIVERY_HEADER, verify_signature


class Receiver:
    def __init__(self, secret: str, *, fail_first: int = 0, fail_keys_once: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.secret = secret
        self.fail_first = fail_first
        self.fail_keys_once = set(fail_keys_once)
        self.requests: list[dict[str, Any]] = []
        self.accepted: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k: v for k, v in self.headers.items()}
                valid = verify_signature(receiver.secret, headers, body)
                with receiver._lock:
                    n = len(receiver.requests)
                    item = {"valid": valid, "delivery": headers.get(DELIVERY_HEADER), "body": json.loads(body),
                            "headers": headers}  # fmt: skip
                    receiver.requests.append(item)
                    key = item["body"].get("alert", {}).get("event_key")
                    ok = valid and n >= receiver.fail_first and key not in receiver.fail_keys_once
                    receiver.fail_keys_once.discard(key)
                    if ok:
                        receiver.accepted.append(item)
                self.send_response(204 if ok else (401 if not valid else 500))
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_accepted(self, n: int, timeout_s: float = 30.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.accepted) >= n:
                    return list(self.accepted)
            time.sleep(0.05)
        raise AssertionError(
            f"{len(self.accepted)} of {n} deliveries accepted after {timeout_s} s: {self.requests}"
        )
