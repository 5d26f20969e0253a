// Server-Sent Events over fetch(), so the bearer token travels in the Authorization header
// (the browser's EventSource cannot set headers, and a token in a URL ends up in logs and
// history). Parses the text/event-stream format (WHATWG HTML §9.2: "id:", "event:", "data:",
// "retry:" fields, events separated by a blank line) and reconnects with Last-Event-ID.
"use strict";

window.openEventStream = function openEventStream(url, token, handlers) {
  let lastId = null;
  let retryMs = 2000;
  let stopped = false;
  let controller = null;

  function dispatch(block) {
    let event = "message", data = [], id = null;
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const i = line.indexOf(":");
      const field = i < 0 ? line : line.slice(0, i);
      let value = i < 0 ? "" : line.slice(i + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else if (field === "id") id = value;
      else if (field === "retry" && /^\d+$/.test(value)) retryMs = Number(value);
    }
    if (id !== null) lastId = id;
    if (data.length && handlers.onEvent) handlers.onEvent(event, data.join("\n"), id);
  }

  async function run() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const headers = { Authorization: "Bearer " + token, Accept: "text/event-stream" };
        if (lastId !== null) headers["Last-Event-ID"] = lastId;
        const res = await fetch(url, { headers, signal: controller.signal, cache: "no-store" });
        if (!res.ok) {
          if (handlers.onState) handlers.onState("unavailable (HTTP " + res.status + ")");
          if (res.status === 401 || res.status === 403 || res.status === 404) return;
        } else {
          if (handlers.onState) handlers.onState("live");
          const reader = res.body.getReader();
          const decoder = new TextDecoder();
          let buf = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buf += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
            let cut;
            while ((cut = buf.indexOf("\n\n")) >= 0) {
              dispatch(buf.slice(0, cut));
              buf = buf.slice(cut + 2);
            }
          }
        }
      } catch (err) {
        if (stopped) return;
      }
      if (handlers.onState) handlers.onState("reconnecting…");
      await new Promise((r) => setTimeout(r, retryMs));
    }
  }
  run();
  return { close() { stopped = true; if (controller) controller.abort(); } };
};
