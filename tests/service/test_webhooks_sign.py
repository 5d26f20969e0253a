"""Webhook signatures and the SSRF guard (library level, no server).

References: the HMAC is checked against Python's :mod:`hmac` and against a hand-written RFC 2104
construction (``H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m))`` with SHA-256, block size 64 bytes), which is
itself checked on RFC 4231 test case 2 (key "Jefe").
"""

from __future__ import annotations

import hashlib
import hmac

import pytest

from skywarden.errors import ValidationError
from skywarden.service.webhooks_sign import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    check_webhook_url,
    compute_signature,
    signed_headers,
    verify_signature,
)


def rfc2104_sha256(key: bytes, message: bytes) -> str:
    """HMAC-SHA256 by hand (RFC 2104 §2): block size B = 64 bytes."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(k ^ 0x36 for k in key) + message).digest()
    return hashlib.sha256(bytes(k ^ 0x5C for k in key) + inner).hexdigest()


def test_rfc2104_reference_matches_rfc4231_case_2():
    # RFC 4231 §4.3, test case 2: HMAC-SHA-256("Jefe", "what do ya want for nothing?")
    assert rfc2104_sha256(b"Jefe", b"what do ya want for nothing?") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_signature_is_hmac_sha256_over_timestamp_dot_body():
    body = b'{"alert":{"id":7,"summary":"track B1 enters ADIZ"}}'
    secret = "s3cr\u00e9t"  # UTF-8 key bytes
    sig = compute_signature(secret, 1796400000, body)
    message = b"1796400000." + body
    assert sig == "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    assert sig == "sha256=" + rfc2104_sha256(secret.encode(), message)


def test_verify_accepts_fresh_valid_and_rejects_tampering():
    body = b'{"x": 1}'
    headers = signed_headers("k", body, delivery_id=3, now=1_000_000.0)
    assert headers[SIGNATURE_HEADER].startswith("sha256=")
    assert verify_signature("k", headers, body, now=1_000_010.0)
    lower = {k.lower(): v for k, v in headers.items()}
    assert verify_signature("k", lower, body, now=1_000_010.0)  # header names are case-insensitive
    assert not verify_signature("k", headers, b'{"x": 2}', now=1_000_010.0)  # body changed
    assert not verify_signature("other", headers, body, now=1_000_010.0)  # wrong secret
    assert not verify_signature("k", headers, body, now=1_000_000.0 + 301)  # replay after 5 min
    moved = dict(headers, **{TIMESTAMP_HEADER: "1000001"})  # timestamp is signed too
    assert not verify_signature("k", moved, body, now=1_000_010.0)
    assert not verify_signature("k", {}, body, now=1_000_010.0)


def _resolver(mapping):
    def resolve(host: str, port: int) -> list[str]:
        if host not in mapping:
            raise OSError(f"Name or service not known: {host}")
        return mapping[host]

    return resolve


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:8080/hook", "loopback"),
        ("http://[::1]/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://192.168.0.10/hook", "private"),
        ("http://172.16.5.4/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),  # cloud metadata endpoint
        ("http://[fe80::1]/hook", "link-local"),
        ("http://[fd00::5]/hook", "private"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),  # IPv4-mapped IPv6
        ("http://0.0.0.0/hook", "unspecified"),
        ("http://100.64.0.1/hook", "not globally routable"),  # carrier-grade NAT (RFC 6598)
        ("http://224.0.0.1/hook", "multicast"),
    ],
)
def test_ssrf_refuses_non_public_literals(url, why):
    with pytest.raises(ValidationError, match=why):
        check_webhook_url(url)
    assert check_webhook_url(url, allow_private=True)["addresses"]


def test_ssrf_resolves_hostnames_and_checks_every_address():
    resolve = _resolver(
        {"hooks.example.org": ["93.184.215.14"], "sneaky.example.org": ["93.184.215.14", "10.0.0.7"]}
    )
    ok = check_webhook_url("https://hooks.example.org/x", resolver=resolve)
    assert ok == {"host": "hooks.example.org", "port": 443, "addresses": ["93.184.215.14"]}
    with pytest.raises(ValidationError, match=r"10\.0\.0\.7, a private address"):
        check_webhook_url("https://sneaky.example.org/x", resolver=resolve)
    with pytest.raises(ValidationError, match="does not resolve"):
        check_webhook_url("https://nowhere.example.org/x", resolver=resolve)


def test_localhost_is_refused_through_the_system_resolver():
    with pytest.raises(ValidationError, match="loopback"):
        check_webhook_url("http://localhost:9/hook")


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("ftp://93.184.215.14/x", "scheme must be http or https"),
        ("file:///etc/passwd", "scheme must be http or https"),
        ("http:///nohost", "has no host"),
        ("http://user:pw@93.184.215.14/x", "credentials"),
        ("http://93.184.215.14:99999/x", "port"),
    ],
)
def test_malformed_urls(url, match):
    with pytest.raises(ValidationError, match=match):
        check_webhook_url(url)
