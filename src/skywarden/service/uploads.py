"""Reading uploaded files (raw body or ``multipart/form-data`` field ``file``) and keeping them
under the data directory, named by their SHA-256 (so the same upload is stored once).

Upload endpoints declare :func:`upload_body` as their OpenAPI request body; the size limit is the
service-wide ``max_body_bytes`` (:mod:`.limits`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import Request

from ..errors import InputError, SkywardenError

__all__ = ["as_file", "read_upload", "safe_name", "sha256_hex", "store_file", "upload_body"]


def safe_name(name: str | None, default: str = "upload") -> str:
    """A client-given file name reduced to ``[A-Za-z0-9._-]`` (≤ 100 characters, no path), for
    temporary files, messages and stored labels."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", (name or "").replace("\\", "/").rsplit("/", 1)[-1])[:100]
    return base if base.strip("._") else default


def upload_body(text_types: tuple[str, ...] = ("text/plain",), binary: bool = False) -> dict[str, Any]:
    """``openapi_extra`` for an endpoint whose body is a file: raw text/bytes or multipart ``file``."""
    raw = {"type": "string", "format": "binary"} if binary else {"type": "string"}
    content: dict[str, Any] = {t: {"schema": raw} for t in text_types}
    content["multipart/form-data"] = {
        "schema": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
            "required": ["file"],
        }
    }
    return {"requestBody": {"required": True, "content": content}}


async def read_upload(request: Request) -> tuple[bytes, str | None]:
    """The uploaded bytes and the client's file name (multipart only); 400 when empty."""
    ctype = request.headers.get("content-type", "")
    name: str | None = None
    if ctype.startswith("multipart/form-data"):
        form = await request.form()
        item = form.get("file")
        if item is None or isinstance(item, str):
            raise InputError("multipart upload needs a file field named 'file'")
        data = await item.read()
        name = item.filename
        await form.close()
    else:
        data = await request.body()
    if not data.strip():
        raise InputError("the request body is empty; send the file as the body or as multipart field 'file'")
    return data, safe_name(name) if name is not None else None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_file(folder: Path, data: bytes, suffix: str) -> Path:
    """``folder/<sha256><suffix>``, written atomically once (kept if already there)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{sha256_hex(data)}{suffix}"
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    return target


@contextlib.contextmanager
def as_file(data: bytes, name: str, suffix: str | None = None) -> Iterator[Path]:
    """The upload as a temporary file named like the client's file (for the library's readers).

    Error messages from inside the block name the client's file, not the temporary directory.
    """
    base = safe_name(name)
    if suffix is not None:
        base = f"{Path(base).stem or 'upload'}{suffix}"
    with tempfile.TemporaryDirectory(prefix="skywarden-upload-") as tmp:
        path = Path(tmp) / base
        path.write_bytes(data)
        try:
            yield path
        except SkywardenError as exc:
            if exc.args and isinstance(exc.args[0], str):
                exc.args = (exc.args[0].replace(f"{tmp}{os.sep}", ""), *exc.args[1:])
            raise
