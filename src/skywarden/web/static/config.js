// Where CesiumJS lives (served by the skywarden service from node_modules/cesium/Build/Cesium).
window.CESIUM_BASE_URL = "/cesium/";
