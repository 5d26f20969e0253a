"""API tokens: ``sw_<id>_<secret>``, stored as an argon2id hash of the secret.

The ``id`` (12 hex characters, not secret) is the primary key, so verifying a presented token is
one row lookup and one argon2 check (argon2-cffi defaults, RFC 9106 "low memory" profile). The
secret is 32 random bytes (``secrets.token_urlsafe``), shown once by ``skywarden admin
create-token`` and never stored or logged in clear.
"""

from __future__ import annotations

import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from ..errors import OptionError
from .models import ApiToken, utcnow

__all__ = ["ROLES", "create_token", "parse_token", "revoke_token", "verify_token"]

#: Roles in increasing power; each includes the ones before it.
ROLES = ("viewer", "operator", "admin")
_HASHER = PasswordHasher()
_TOKEN_RE = re.compile(r"^sw_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})$")


def parse_token(token: str) -> tuple[str, str] | None:
    """``(id, secret)`` of a well-formed token, else None."""
    m = _TOKEN_RE.match(token.strip())
    return (m.group(1), m.group(2)) if m else None


def create_token(session: Session, role: str, name: str = "") -> tuple[ApiToken, str]:
    """A new token row (added to ``session``, not committed) and the token text (show it once)."""
    if role not in ROLES:
        raise OptionError("--role", role, ROLES)
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    row = ApiToken(id=token_id, name=name, role=role, secret_hash=_HASHER.hash(secret), created_at=utcnow())
    session.add(row)
    return row, f"sw_{token_id}_{secret}"


def verify_token(session: Session, token: str) -> ApiToken | None:
    """The live token row for ``token``, or None (unknown, revoked, wrong secret, malformed)."""
    parsed = parse_token(token)
    if parsed is None:
        return None
    row = session.get(ApiToken, parsed[0])
    if row is None or row.revoked_at is not None:
        return None
    try:
        _HASHER.verify(row.secret_hash, parsed[1])
    except (VerificationError, InvalidHashError):
        return None
    return row


def revoke_token(session: Session, token_id: str) -> bool:
    """Mark a token revoked; False when no such token."""
    row = session.get(ApiToken, token_id)
    if row is None:
        return False
    row.revoked_at = utcnow()
    return True
