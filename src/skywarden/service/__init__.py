"""The watch service: FastAPI over the skywarden library, with a persistent store.

``create_app(db_url=..., settings=...)`` builds the ASGI app (``skywarden serve`` runs it on
uvicorn). Extension points for feature modules (see :mod:`.app`): ``register(app, ctx)``
modules listed in ``FEATURE_MODULES``; the event bus ``ctx.events`` (:mod:`.events`); the auth
dependencies ``ViewerDep``/``OperatorDep``/``AdminDep`` (:mod:`.auth`); ``SessionDep``/``CtxDep``
(:mod:`.context`); metric objects in :mod:`.metrics`; error bodies in :mod:`.errors`.
"""

from __future__ import annotations

from .app import create_app
from .settings import ServiceSettings, load_settings

__all__ = ["ServiceSettings", "create_app", "load_settings"]
