// The SSR check's server (run.sh copies it into the app and runs it there): Vite in middleware
// mode renders src/ssr-entry.js, which imports "session-keeper" at the top level, through
// `ssrLoadModule`, the way an SSR framework does. Before serving, it checks that importing the
// package on the server throws nothing and has no side effects — no fetch, no WebAssembly
// compiled, no global added or replaced — both with the package externalized (Vite's default:
// Node imports it) and with `ssr.noExternal` (Vite transforms it). Then it serves the rendered
// page, whose client script (src/main.js) creates the keeper in the browser; check.mjs --ssr
// drives that page. Prints `ssr server at <url>` once listening; stops on SIGTERM.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createServer as createViteServer } from "vite";

const root = process.cwd();

// ---- the side-effect probes, installed before Vite or the package is loaded ------------------

const effects = [];
const realFetch = globalThis.fetch;
globalThis.fetch = function fetch(...args) {
  effects.push(`fetch(${String(args[0])})`);
  return realFetch.apply(this, args);
};
for (const name of ["instantiate", "compile", "instantiateStreaming", "compileStreaming", "validate"]) {
  const real = WebAssembly[name];
  WebAssembly[name] = function (...args) {
    effects.push(`WebAssembly.${name}`);
    return real.apply(this, args);
  };
}
WebAssembly.Module = new Proxy(WebAssembly.Module, {
  construct(target, args) {
    effects.push("new WebAssembly.Module");
    return Reflect.construct(target, args);
  },
});
WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
  construct(target, args) {
    effects.push("new WebAssembly.Instance");
    return Reflect.construct(target, args);
  },
});

/** Every own property of globalThis, by what it holds (value, or getter and setter). */
function globals() {
  const all = new Map();
  for (const key of Reflect.ownKeys(globalThis)) {
    const d = Object.getOwnPropertyDescriptor(globalThis, key);
    all.set(key, "value" in d ? [d.value] : [d.get, d.set]);
  }
  return all;
}

function changes(before, after) {
  const found = [];
  for (const [key, held] of after) {
    const was = before.get(key);
    if (!was) found.push(`added ${String(key)}`);
    else if (was.length !== held.length || was.some((v, i) => !Object.is(v, held[i]))) found.push(`replaced ${String(key)}`);
  }
  for (const key of before.keys()) if (!after.has(key)) found.push(`deleted ${String(key)}`);
  return found;
}

/** Loads ssr-entry.js through `vite` and checks that the import changed nothing. */
async function importWithoutSideEffects(vite, label) {
  await vite.ssrLoadModule("/src/ssr-control.js");
  const before = globals();
  effects.length = 0;
  const entry = await vite.ssrLoadModule("/src/ssr-entry.js");
  assert.deepEqual(changes(before, globals()), [], `${label}: importing session-keeper changed globalThis`);
  assert.deepEqual(effects, [], `${label}: importing session-keeper had side effects`);
  // On the server, before any init(): the runtime error class, code not_initialized.
  const probe = entry.probe();
  assert.deepEqual(probe, { createSessionKeeper: "function", errorIsClass: true, code: "not_initialized" }, label);
  assert.deepEqual(effects, [], `${label}: new SessionKeeper() before init() had side effects`);
  assert.match(entry.render(), /data-rendered="server"/);
  return entry;
}

// ---- 1. noExternal: Vite transforms the package itself -----------------------------------------

const bundled = await createViteServer({
  root,
  logLevel: "warn",
  appType: "custom",
  server: { middlewareMode: true, ws: false },
  ssr: { noExternal: ["session-keeper"] },
});
await importWithoutSideEffects(bundled, "ssr.noExternal");
await bundled.close();

// ---- 2. the default (externalized) setup, which also serves the page ---------------------------

const server = createServer();
const vite = await createViteServer({
  root,
  logLevel: "warn",
  appType: "custom",
  server: { middlewareMode: true, hmr: { server } },
});
await importWithoutSideEffects(vite, "externalized");

server.on("request", (request, response) => {
  vite.middlewares(request, response, async () => {
    try {
      const url = new URL(request.url, "http://localhost");
      if (url.pathname !== "/") {
        response.writeHead(404).end("not found");
        return;
      }
      // What an SSR server does per request: load the entry (cached), render, let Vite inject
      // its client.
      const { render } = await vite.ssrLoadModule("/src/ssr-entry.js");
      const html = await vite.transformIndexHtml(request.url, render());
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
    } catch (error) {
      vite.ssrFixStacktrace(error);
      console.error(error);
      response.writeHead(500).end(String(error?.stack ?? error));
    }
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
console.log("ssr: importing session-keeper had no side effects (externalized and ssr.noExternal)");
console.log(`ssr server at http://127.0.0.1:${server.address().port}/`);

const stop = async () => {
  server.close();
  await vite.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
