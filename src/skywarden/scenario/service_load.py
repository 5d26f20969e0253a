"""Load a scenario into the skywarden service (``skywarden demo --serve``) and build the map's URL.

Over the service's own HTTP API (so the map sees exactly what any client would post): the
scenario's satellite catalog (``POST /catalogs``), its watched places (``POST /sites``) and the
reports of scene 1 (``POST /reports``, which re-runs the service's tracker). ADIZ zones are the
built-in ones, chosen in the map URL (``adiz=us,ca``). :func:`prepare_store` creates or migrates a
store and issues an admin token for it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx

__all__ = ["ServiceThread", "load_into_service", "map_url", "prepare_store"]


def prepare_store(db_url: str) -> str:
    """Migrate the store at ``db_url`` to the newest schema and return a new admin token."""
    from ..store import create_token, make_engine, make_sessionmaker, upgrade

    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            _, token = create_token(session, "admin", "skywarden demo --serve")
            session.commit()
    finally:
        engine.dispose()
    return token


def map_url(base_url: str, res: Any, site_ids: list[int]) -> str:
    """The web map at ``base_url`` with the scenario's clock, sites and ADIZ zones in its URL state."""
    hours = res.config.report_hours + res.config.hours
    state = {"start": res.reports_start, "hours": f"{min(hours, 72.0):g}", "adiz": "us,ca",
             "site": ",".join(str(i) for i in site_ids), "t": res.scene("track").numbers["fix_time"]}  # fmt: skip
    return f"{base_url.rstrip('/')}/#{urlencode(state)}"


def load_into_service(
    res: Any, base_url: str, token: str, *, client: httpx.Client | None = None
) -> dict[str, Any]:
    """Post the scenario's catalog, sites and reports; returns the created ids and the map URL."""
    own = client is None
    http = client or httpx.Client(timeout=120.0)
    headers = {"Authorization": f"Bearer {token}"}
    base = base_url.rstrip("/")
    try:
        cat_path = res.datasets.catalog.path
        r = http.post(f"{base}/catalogs", params={"name": cat_path.name}, headers={**headers,
                      "Content-Type": "text/plain"}, content=cat_path.read_bytes())  # fmt: skip
        r.raise_for_status()
        catalog_id = r.json()["id"]
        site_ids = []
        for s in res.sites:
            r = http.post(
                f"{base}/sites", headers=headers, json={"name": s.name, "lat": s.lat_deg, "lon": s.lon_deg}
            )
            r.raise_for_status()
            site_ids.append(int(r.json()["id"]))
        r = http.post(f"{base}/reports", params={"name": "reports.csv"}, headers={**headers, "Content-Type": "text/csv"},
                      content=res.reports_csv.encode("utf-8"))  # fmt: skip
        r.raise_for_status()
        ingest = r.json()
    finally:
        if own:
            http.close()
    return {"catalog_id": catalog_id, "site_ids": site_ids, "reports": ingest,
            "map_url": map_url(base, res, site_ids)}  # fmt: skip


class ServiceThread:
    """The service (uvicorn) on ``host:port`` in a background thread: ``start()``, ``stop()``."""

    def __init__(self, db_url: str, host: str = "127.0.0.1", port: int = 8000, data_dir: Any = None) -> None:
        import uvicorn

        from ..service import ServiceSettings, create_app

        settings = ServiceSettings(data_dir=data_dir) if data_dir is not None else ServiceSettings()
        self.app = create_app(db_url=db_url, settings=settings)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host=host, port=port, log_level="warning",
                                                    access_log=False))  # fmt: skip
        self.url = f"http://{host}:{port}"
        self._thread: Any = None

    def start(self, timeout_s: float = 60.0) -> ServiceThread:
        import threading
        import time

        self._thread = threading.Thread(target=self.server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the service did not start on {self.url}")
            time.sleep(0.05)
        return self

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C)."""
        if self._thread is not None:
            self._thread.join()

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(30)
        self.app.state.ctx.engine.dispose()
