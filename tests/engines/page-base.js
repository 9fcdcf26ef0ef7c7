// The harness's own in-page script, first of every context's init scripts (see host.mjs).
// `__SK_BASE_CONFIG__` is replaced by the host with `{ capture, routes }`:
// - capture: record page errors (uncaught exceptions, unhandled rejections) and console calls
//   into `window.__skLog`, for an engine whose driver does not report them (WebKitGTK's
//   classic WebDriver); Node drains the list after every evaluate and before navigations.
// - routes: whether the context has routes now (`window.__skRoutes`, kept up to date by Node):
//   while it does, a fetch to another origin asks the host first (`/__sk__/bridge`), so that
//   `context.route` answers it; without routes every fetch goes straight to the network.
(() => {
  "use strict";
  if (window.__skBase) return;
  const config = __SK_BASE_CONFIG__;
  Object.defineProperty(window, "__skBase", { value: true });
  window.__skRoutes = config.routes;

  // ---- page errors and console calls -------------------------------------------------------
  if (config.capture) {
    const log = [];
    Object.defineProperty(window, "__skLog", { value: log });
    const text = (arg) => {
      if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
      if (typeof arg === "string") return arg;
      try {
        const json = JSON.stringify(arg);
        if (json !== undefined && typeof arg === "object") return json;
      } catch {
        // a cycle or a BigInt: String() below
      }
      return String(arg);
    };
    const push = (entry) => {
      if (log.length < 10_000) log.push(entry);
    };
    window.addEventListener("error", (event) => {
      const error = event.error;
      push({
        kind: "pageerror",
        name: error && error.name ? String(error.name) : "Error",
        message: error && error.message !== undefined ? String(error.message) : String(event.message).replace(/^(Uncaught )?(\w*Error: )?/, ""),
        stack: error && error.stack ? String(error.stack) : "",
        url: location.href,
      });
    });
    window.addEventListener("unhandledrejection", (event) => {
      const reason = event.reason;
      const isError = reason instanceof Error;
      push({
        kind: "pageerror",
        name: isError ? reason.name : "Error",
        message: isError ? reason.message : text(reason),
        stack: isError && reason.stack ? String(reason.stack) : "",
        url: location.href,
      });
    });
    const methods = { log: "log", debug: "debug", info: "info", warn: "warning", error: "error", trace: "trace", dir: "dir", table: "table", assert: "assert" };
    for (const [method, type] of Object.entries(methods)) {
      const real = console[method];
      if (typeof real !== "function") continue;
      console[method] = function (...args) {
        if (method === "assert") {
          if (args[0]) return real.apply(this, args);
          push({ kind: "console", type, text: ["Assertion failed:", ...args.slice(1).map(text)].join(" "), url: location.href });
        } else {
          push({ kind: "console", type, text: args.map(text).join(" "), url: location.href });
        }
        return real.apply(this, args);
      };
    }
  }

  // ---- fetches to other origins reach the context's routes ---------------------------------
  const realFetch = window.fetch;
  const toBase64 = (buffer) => {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  };
  const fromBase64 = (text) => {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
  };
  /** The absolute URL `input` names, or null (then the request is left to the real fetch). */
  const targetUrl = (input) => {
    try {
      if (input instanceof Request) return input.url;
      if (input instanceof URL) return input.href;
      if (typeof input === "string") return new URL(input, document.baseURI).href;
    } catch {
      // invalid: the real fetch rejects it
    }
    return null;
  };
  window.fetch = function fetch(input, init) {
    // An unbound call (`fetch(url)` in strict code) has `this` undefined: the window's own.
    const self = this === undefined ? window : this;
    if (!window.__skRoutes) return realFetch.apply(self, arguments);
    const href = targetUrl(input);
    if (!href || !/^https?:/.test(href) || new URL(href).origin === location.origin) return realFetch.apply(self, arguments);
    let request;
    try {
      request = new Request(input instanceof Request ? input.clone() : input, init);
    } catch {
      return realFetch.apply(self, arguments);
    }
    const args = arguments;
    return (async () => {
      const body = request.method === "GET" || request.method === "HEAD" ? null : await request.arrayBuffer();
      const headers = {};
      request.headers.forEach((value, name) => { headers[name] = value; });
      const answer = await (await realFetch.call(window, "/__sk__/bridge", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url: request.url, method: request.method, headers, body: body && body.byteLength ? toBase64(body) : null }),
        signal: request.signal,
      })).json();
      if (!answer.routed) return realFetch.apply(self, args);
      if (answer.abort) throw new TypeError("Failed to fetch");
      const nullBody = [101, 103, 204, 205, 304].includes(answer.status);
      const response = new Response(nullBody ? null : fromBase64(answer.body), { status: answer.status, headers: answer.headers });
      Object.defineProperty(response, "url", { value: request.url });
      return response;
    })();
  };
})();
