"""Webhook signatures and the server-side-request-forgery guard for webhook targets.

Signature scheme (what a receiver checks)
-----------------------------------------
Every delivery is an HTTP ``POST`` with a JSON body (``Content-Type: application/json``) and
these headers::

    X-Skywarden-Timestamp: 1796400000          (Unix seconds, UTC, when this attempt was signed)
    X-Skywarden-Signature: sha256=<64 hex>     (HMAC-SHA256, key = the webhook's secret, UTF-8)
    X-Skywarden-Delivery:  <delivery id>       (the same on every retry of one delivery)
    X-Skywarden-Event:     alert

The signed message is the ASCII timestamp, one ``.``, then the raw body bytes exactly as sent::

    signature = hex(HMAC_SHA256(secret, f"{timestamp}." + body))

(the construction Stripe and Slack use: binding the timestamp stops a captured request from being
replayed later). A receiver recomputes the HMAC over the bytes it received, compares it with
:func:`hmac.compare_digest` and rejects timestamps older than a tolerance (5 minutes by
default); :func:`verify_signature` does exactly that and is what the tests' receiver uses.
A retry is signed again with a fresh timestamp; the body (and its ``alert.id``) is the same, so a
receiver can also de-duplicate on ``X-Skywarden-Delivery``.

SSRF guard
----------
:func:`check_webhook_url` refuses targets that are not ``http``/``https`` or whose host resolves
(every address it resolves to is checked) to loopback, private (RFC 1918, RFC 4193), link-local
(169.254/16 incl. cloud metadata, fe80::/10), carrier-grade NAT, multicast, reserved or
unspecified addresses, unless the operator sets ``allow_private_webhooks``. The check runs when
a webhook is registered and again before each delivery (a DNS answer can change).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ..errors import ValidationError

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "check_webhook_url",
    "compute_signature",
    "signed_headers",
    "verify_signature",
]

SIGNATURE_HEADER = "X-Skywarden-Signature"
TIMESTAMP_HEADER = "X-Skywarden-Timestamp"
DELIVERY_HEADER = "X-Skywarden-Delivery"
EVENT_HEADER = "X-Skywarden-Event"
DEFAULT_TOLERANCE_S = 300.0

Resolver = Callable[[str, int], list[str]]


def compute_signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """``"sha256=" + hex(HMAC-SHA256(secret, f"{timestamp}." + body))``."""
    message = str(int(timestamp)).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: bytes, *, delivery_id: str | int, now: float | None = None
) -> dict[str, str]:
    """The headers of one delivery attempt (see the module docstring)."""
    ts = int(time.time() if now is None else now)
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(ts),
        SIGNATURE_HEADER: compute_signature(secret, ts, body),
        DELIVERY_HEADER: str(delivery_id),
        EVENT_HEADER: "alert",
        "User-Agent": "skywarden-webhooks",
    }


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> bool:
    """True when ``headers`` carry a valid, fresh signature of ``body`` under ``secret``.

    ``headers`` is looked up case-insensitively. A missing or malformed header, a timestamp more
    than ``tolerance_s`` away from ``now`` or a wrong digest all give False (constant-time compare).
    """
    lower = {k.lower(): v for k, v in headers.items()}
    ts_text = lower.get(TIMESTAMP_HEADER.lower(), "")
    sig = lower.get(SIGNATURE_HEADER.lower(), "")
    if not ts_text.isdigit() or not sig.startswith("sha256="):
        return False
    current = time.time() if now is None else now
    if abs(current - int(ts_text)) > tolerance_s:
        return False
    return hmac.compare_digest(compute_signature(secret, ts_text, body), sig)


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def _forbidden(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return _forbidden(addr.ipv4_mapped)
    checks: list[tuple[bool, str]] = [
        (addr.is_loopback, "loopback"),
        (addr.is_unspecified, "unspecified"),
        (addr.is_link_local, "link-local"),
        (addr.is_multicast, "multicast"),
        (addr.is_private, "private"),
        (addr.is_reserved, "reserved"),
        (not addr.is_global, "not globally routable"),
    ]
    return next((why for bad, why in checks if bad), None)


def check_webhook_url(
    url: str, *, allow_private: bool = False, resolver: Resolver | None = None
) -> dict[str, Any]:
    """Check a webhook target; return ``{"host", "port", "addresses"}`` or raise ValidationError.

    The host is resolved (``resolver(host, port)`` → address strings; the system resolver by
    default) and every address must be globally routable unless ``allow_private``.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValidationError(
            f"webhook url {url!r}: scheme must be http or https (e.g. https://hooks.example.org/skywarden)"
        )
    host = parts.hostname
    if not host:
        raise ValidationError(f"webhook url {url!r} has no host (e.g. https://hooks.example.org/skywarden)")
    if parts.username or parts.password:
        raise ValidationError(f"webhook url for host {host!r}: credentials in the URL are not accepted")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValidationError(f"webhook url {url!r}: the port is not a number in 1..65535") from None
    try:
        literal: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = (resolver or _system_resolver)(host, port)
        except (OSError, UnicodeError) as exc:
            raise ValidationError(f"webhook url: host {host!r} does not resolve ({exc})") from None
        if not addresses:
            raise ValidationError(f"webhook url: host {host!r} resolves to no address")
    if not allow_private:
        for text in addresses:
            why = _forbidden(ipaddress.ip_address(text.split("%", 1)[0]))
            if why is not None:
                raise ValidationError(
                    f"webhook url: host {host!r} resolves to {text}, a {why} address; webhook targets "
                    "must be public (server-side request forgery guard). An operator can allow them "
                    "with the setting allow_private_webhooks."
                )
    return {"host": host, "port": port, "addresses": addresses}
