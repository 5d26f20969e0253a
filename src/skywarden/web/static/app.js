// skywarden watch-floor map: plain JavaScript over CesiumJS (from npm, served by the service).
//
// Flow: sign in with a token (kept in this tab's sessionStorage) → fetch /czml/scene with it →
// load the CZML on the clock → fill the panels (upcoming windows per site, watches, alerts over
// SSE) → apply the view state from the URL hash → set window.skywardenReady = true once the data
// are loaded and the globe has rendered. Nothing here talks to any host but the page's own origin
// (the Content-Security-Policy of "/" enforces it too).
//
// URL hash (shareable view): t (clock time, ISO 8601), sel (selected entity id), cam
// (lon,lat,height_m,heading_deg,pitch_deg,roll_deg), mode (2d|3d) and the scene query:
// start, hours, site (comma-separated ids), kind, max_gsd_m, adiz, max_satellites.
"use strict";

(function () {
  if (typeof window.Cesium === "undefined") {
    // /cesium/ answers 503 until `make web` (npm ci in src/skywarden/web) has installed CesiumJS
    window.skywardenReady = false;
    window.skywardenError = "CesiumJS is not installed on the server: run `make web` and restart skywarden serve";
    document.getElementById("login-error").textContent = window.skywardenError;
    return;
  }
  const TOKEN_KEY = "skywarden.token";
  const SCENE_KEYS = ["start", "hours", "site", "kind", "max_gsd_m", "adiz", "max_satellites", "step_s"];
  const $ = (id) => document.getElementById(id);
  window.skywardenReady = false;
  window.skywardenError = null;
  let token = sessionStorage.getItem(TOKEN_KEY);
  let viewer = null;
  let dataSource = null;
  let stream = null;

  // ---- URL state -------------------------------------------------------------------------
  function readHash() {
    return new URLSearchParams(location.hash.replace(/^#/, ""));
  }
  function writeHash(update) {
    const p = readHash();
    for (const [k, v] of Object.entries(update)) {
      if (v === null || v === undefined || v === "") p.delete(k);
      else p.set(k, v);
    }
    history.replaceState(null, "", "#" + p.toString());
  }
  const deg = Cesium.Math.toDegrees;
  const rad = Cesium.Math.toRadians;
  function cameraState() {
    const c = viewer.camera.positionCartographic;
    return [deg(c.longitude).toFixed(4), deg(c.latitude).toFixed(4), c.height.toFixed(0),
      deg(viewer.camera.heading).toFixed(1), deg(viewer.camera.pitch).toFixed(1),
      deg(viewer.camera.roll).toFixed(1)].join(",");
  }
  function isoOf(julian) {
    return Cesium.JulianDate.toIso8601(julian, 0);
  }

  // ---- API -------------------------------------------------------------------------------
  function api(path) {
    return fetch(path, { headers: { Authorization: "Bearer " + token }, cache: "no-store" });
  }
  function showLogin(message) {
    $("app").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
  }
  async function checkToken(candidate) {
    const res = await fetch("/sites", { headers: { Authorization: "Bearer " + candidate } });
    if (res.status === 401) return "That token is not valid (or has been revoked).";
    if (!res.ok) return "The service answered HTTP " + res.status + ".";
    return null;
  }

  // ---- panels ----------------------------------------------------------------------------
  function propsOf(entity) {
    return entity.properties ? entity.properties.getValue(viewer.clock.currentTime) : {};
  }
  function byLayer(layer) {
    return dataSource.entities.values.filter((e) => e.properties && e.properties.hasProperty("layer")
      && e.properties.layer.getValue() === layer);
  }
  function moveClock(iso, entityId) {
    viewer.clock.shouldAnimate = false;
    viewer.clock.currentTime = Cesium.JulianDate.fromIso8601(iso);
    const target = entityId && dataSource.entities.getById(entityId);
    if (target) viewer.selectedEntity = target;
    writeHash({ t: iso });
  }
  function fillWindows() {
    const bySite = new Map();
    for (const e of byLayer("access_window")) {
      const p = propsOf(e);
      if (!bySite.has(p.site)) bySite.set(p.site, []);
      bySite.get(p.site).push(p);
    }
    const box = $("windows");
    box.textContent = "";
    if (!bySite.size) box.innerHTML = '<p class="muted">No access windows in this scene.</p>';
    for (const [site, list] of bySite) {
      list.sort((a, b) => (a.start < b.start ? -1 : 1));
      const h = document.createElement("h3");
      h.className = "muted";
      h.textContent = site + " (" + list.length + ")";
      box.appendChild(h);
      for (const w of list.slice(0, 40)) {
        const b = document.createElement("button");
        b.className = "window " + w.kind;
        b.dataset.start = w.start;
        b.dataset.satellite = "sat-" + w.norad_id;
        const gsd = Number.isFinite(w.gsd_m) ? w.gsd_m.toFixed(1) + " m" : "GSD ?";
        b.textContent = w.start.slice(5, 16).replace("T", " ") + "Z  " + w.name + "  " + w.kind + ", " + gsd
          + ", " + Math.round(w.duration_s / 60) + " min";
        b.title = "Move the clock to the start of this window";
        b.addEventListener("click", () => moveClock(w.start, "sat-" + w.norad_id));
        box.appendChild(b);
      }
    }
  }
  function markQuietWindows() {
    const color = Cesium.Color.fromCssColorString("#33cc33").withAlpha(0.6);
    for (const e of byLayer("quiet_window")) {
      const p = propsOf(e);
      viewer.timeline.addHighlightRange(color, 6, 0).setRange(
        Cesium.JulianDate.fromIso8601(p.start), Cesium.JulianDate.fromIso8601(p.end));
    }
    viewer.timeline.resize();
  }
  function addAlert(alert) {
    const li = document.createElement("li");
    li.dataset.alertId = alert.id;
    li.textContent = (alert.created_at || "").slice(11, 19) + "Z  [" + alert.kind + "] " + (alert.summary || "");
    const when = alert.details && (alert.details.time || alert.details.start || alert.details.tca);
    if (when) {
      li.style.cursor = "pointer";
      li.addEventListener("click", () => moveClock(String(when)));
    }
    $("alerts").prepend(li);
  }
  async function fillWatches() {
    const ul = $("watches");
    try {
      const res = await api("/watches");
      if (!res.ok) { ul.innerHTML = '<li class="muted">watches unavailable (HTTP ' + res.status + ")</li>"; return; }
      const list = await res.json();
      ul.textContent = "";
      if (!list.length) ul.innerHTML = '<li class="muted">no watches</li>';
      for (const w of list) {
        const li = document.createElement("li");
        li.textContent = "#" + w.id + " " + w.kind + (w.name ? " — " + w.name : "");
        ul.appendChild(li);
      }
    } catch (err) { ul.innerHTML = '<li class="muted">watches unavailable</li>'; }
  }
  async function startAlerts() {
    let last = 0;
    try {
      const res = await api("/alerts?limit=50");
      if (res.ok) for (const a of await res.json()) { addAlert(a); last = Math.max(last, a.id); }
    } catch (err) { /* the stream below reports the state */ }
    stream = window.openEventStream("/alerts/stream?last_event_id=" + last, token, {
      onState: (s) => { $("stream-state").textContent = s; },
      onEvent: (event, data) => { if (event === "alert") { addAlert(JSON.parse(data)); fillWatches(); } },
    });
  }

  // ---- map -------------------------------------------------------------------------------
  function makeViewer() {
    const imagery = Cesium.ImageryLayer.fromProviderAsync(
      Cesium.TileMapServiceImageryProvider.fromUrl(Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII")));
    viewer = new Cesium.Viewer("map", {
      baseLayer: imagery, baseLayerPicker: false, geocoder: false, homeButton: true, sceneModePicker: true,
      projectionPicker: false, navigationHelpButton: false, fullscreenButton: false, vrButton: false,
      animation: true, timeline: true, infoBox: true, selectionIndicator: true, shouldAnimate: false,
      // render only when something changed (clock, camera, data, tiles): an idle map costs no CPU
      requestRenderMode: true, maximumRenderTimeChange: 0.0,
    });
    // Software rendering on the watch floor's plain PCs: skip effects that cost frames, not information.
    const scene = viewer.scene;
    scene.globe.enableLighting = false;
    scene.globe.showGroundAtmosphere = false;
    scene.fog.enabled = false;
    if (scene.skyAtmosphere) scene.skyAtmosphere.show = false;
    if (scene.sun) scene.sun.show = false;
    if (scene.moon) scene.moon.show = false;
    scene.postProcessStages.fxaa.enabled = false;
    scene.globe.tileCacheSize = 200;
    // the bundled imagery stops at level 2: finer globe tiles would only upsample it, so a coarser
    // screen-space error loads far fewer tiles for the same picture
    scene.globe.maximumScreenSpaceError = 6;
    $("mode-2d").addEventListener("click", () => { viewer.scene.morphTo2D(0); writeHash({ mode: "2d" }); });
    $("mode-3d").addEventListener("click", () => { viewer.scene.morphTo3D(0); writeHash({ mode: "3d" }); });
    $("copy-link").addEventListener("click", () => {
      writeHash({ t: isoOf(viewer.clock.currentTime), cam: cameraState() });
      if (navigator.clipboard) navigator.clipboard.writeText(location.href).catch(() => {});
    });
  }
  function sceneUrl() {
    const h = readHash();
    const q = new URLSearchParams();
    for (const k of SCENE_KEYS) {
      if (!h.has(k)) continue;
      if (k === "site") for (const id of h.get(k).split(",")) q.append("site_id", id);
      else q.set(k, h.get(k));
    }
    return "/czml/scene" + (q.toString() ? "?" + q.toString() : "");
  }
  function applyView(h) {
    if (h.get("mode") === "2d") viewer.scene.morphTo2D(0);
    if (h.has("t")) viewer.clock.currentTime = Cesium.JulianDate.fromIso8601(h.get("t"));
    const cam = (h.get("cam") || "").split(",").map(Number);
    if (cam.length === 6 && cam.every(Number.isFinite)) {
      viewer.camera.setView({
        destination: Cesium.Cartesian3.fromDegrees(cam[0], cam[1], cam[2]),
        orientation: { heading: rad(cam[3]), pitch: rad(cam[4]), roll: rad(cam[5]) },
      });
    } else {
      const site = byLayer("site")[0];
      const p = site ? propsOf(site) : { lon: -100, lat: 40 };
      viewer.camera.setView({ destination: Cesium.Cartesian3.fromDegrees(p.lon, p.lat - 25, 9.0e6),
        orientation: { heading: 0, pitch: rad(-70), roll: 0 } });
    }
    const sel = h.get("sel") && dataSource.entities.getById(h.get("sel"));
    if (sel) viewer.selectedEntity = sel;
  }
  function followState() {
    let lastWrite = 0;
    viewer.clock.onTick.addEventListener((clock) => {
      const now = Date.now();
      if (clock.shouldAnimate && now - lastWrite > 1000) { lastWrite = now; writeHash({ t: isoOf(clock.currentTime) }); }
    });
    viewer.timeline.addEventListener("settime", () => writeHash({ t: isoOf(viewer.clock.currentTime) }), false);
    viewer.selectedEntityChanged.addEventListener((e) => writeHash({ sel: e ? e.id : null }));
    viewer.camera.moveEnd.addEventListener(() => writeHash({ cam: cameraState() }));
    window.addEventListener("hashchange", () => location.reload());
  }
  function whenRendered() {
    return new Promise((resolve) => {
      const remove = viewer.scene.postRender.addEventListener(() => {
        if (viewer.scene.globe.tilesLoaded) { remove(); resolve(); }
      });
      viewer.scene.requestRender();
    });
  }

  async function start() {
    $("login").hidden = true;
    $("app").hidden = false;
    const t0 = performance.now();
    const timings = (window.skywardenTimings = {});
    makeViewer();
    const res = await api(sceneUrl());
    if (res.status === 401) { sessionStorage.removeItem(TOKEN_KEY); showLogin("Please sign in again."); return; }
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      throw new Error("scene: HTTP " + res.status + " " + (body.detail || ""));
    }
    const czml = await res.json();
    timings.scene_fetch_ms = performance.now() - t0;
    dataSource = await Cesium.CzmlDataSource.load(czml);
    await viewer.dataSources.add(dataSource);
    timings.czml_load_ms = performance.now() - t0;
    let meta = {};
    try { meta = JSON.parse(czml[0].description || "{}"); } catch (err) { meta = {}; }
    const h = readHash();
    applyView(h);
    fillWindows();
    markQuietWindows();
    const count = (l) => byLayer(l).length;
    $("status").textContent = count("satellite") + " satellites, " + count("access_window") + " windows, "
      + count("track") + " tracks" + (meta.warnings && meta.warnings.length ? " — " + meta.warnings.length + " warning(s)" : "");
    $("status").title = (meta.warnings || []).join("\n");
    followState();
    await Promise.all([fillWatches(), whenRendered()]);
    timings.rendered_ms = performance.now() - t0;
    startAlerts();
    window.skywarden = { viewer, dataSource, moveClock, byLayer, propsOf };
    window.skywardenReady = true;
  }

  function fail(err) {
    window.skywardenError = String(err && err.message ? err.message : err);
    $("status").textContent = "error: " + window.skywardenError;
  }

  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const candidate = $("token").value.trim();
    const problem = await checkToken(candidate).catch((e) => String(e));
    if (problem) { showLogin(problem); return; }
    token = candidate;
    sessionStorage.setItem(TOKEN_KEY, token);
    $("token").value = "";
    start().catch(fail);
  });
  $("logout").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    if (stream) stream.close();
    location.reload();
  });

  if (token) start().catch(fail);
  else showLogin("");
})();
