"""The offline 3-D web map, served by ``skywarden serve`` at ``/``.

The page (``static/index.html``, plain JavaScript, no framework) draws the service's CZML on a
CesiumJS globe. CesiumJS comes from the npm ``cesium`` package pinned by ``package.json`` +
``package-lock.json`` beside this file and installed by the build (``npm ci`` in this folder;
``node_modules`` is not committed and nothing is fetched from a CDN). The base layer is
Cesium's bundled Natural Earth II imagery (``Assets/Textures/NaturalEarthII``), so the page works
with no internet: no Ion token, no geocoder, no base-layer picker, and a Content-Security-Policy
that lets the page talk only to the service that served it.

Routes (all ``GET``):

* ``/`` — the page; ``/web/<file>`` — its script and style; ``/cesium/<file>`` — CesiumJS's
  ``Build/Cesium`` folder (503 with the install command when ``npm ci`` has not been run);
* ``/czml/scene`` — the scene as CZML (viewer token): see :mod:`skywarden.web.routes`.

The static files carry no data; every data request needs a bearer token, which the page asks
for (login) and keeps in the tab's ``sessionStorage``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["CESIUM_DIR", "NPM_INSTALL", "STATIC_DIR", "WEB_DIR", "cesium_installed", "register"]

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
CESIUM_DIR = WEB_DIR / "node_modules" / "cesium" / "Build" / "Cesium"
#: The command that installs CesiumJS exactly as locked (run from the repository root).
NPM_INSTALL = "npm ci --prefix src/skywarden/web --no-audit --no-fund"


def cesium_installed() -> bool:
    """True when ``node_modules/cesium/Build/Cesium/Cesium.js`` is present."""
    return (CESIUM_DIR / "Cesium.js").is_file()


def register(app: Any, ctx: Any) -> None:
    """Add the map's routes and static folders to the service app (the service's feature hook)."""
    from .routes import install

    install(app, ctx)
