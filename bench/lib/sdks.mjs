// The three SDKs measured side by side: what a browser downloads for each, how its stored
// session is seeded, and the in-page code that is timed (cold start) or left idle (wake-ups).
//
// The functions named `seed`, `coldStart` and `openIdle` run INSIDE the page: Playwright sends
// their source alone, so they may use only their argument and browser globals. Each gets
// `{ moduleUrl, environmentId, jwt, claims, ...idle variant }`.

import { build } from "esbuild";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const BENCH_DIR = fileURLToPath(new URL("..", import.meta.url));
export const REPO = path.resolve(BENCH_DIR, "..");

export const ENVIRONMENT_ID = "env-bench";

/** Version of an npm package installed in bench/node_modules. */
function installedVersion(name) {
  return JSON.parse(readFileSync(path.join(BENCH_DIR, "node_modules", name, "package.json"), "utf8")).version;
}

/** esbuild --bundle --minify --format=esm of `entry`, resolved from bench/node_modules. */
async function bundle(entry) {
  const out = await build({
    stdin: { contents: entry, resolveDir: BENCH_DIR, loader: "js", sourcefile: "bench-entry.js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0].contents;
}

// ---- session-keeper ------------------------------------------------------------------------

/**
 * The files of pkg/ that a browser loads: every pkg/*.js and pkg/*.wasm, plus wasm-bindgen's
 * pkg/snippets/ should the build have one (the glue imports them), except a React entry (any
 * file with "react" in its name).
 * @param {string} pkgDir
 */
function sessionKeeperFiles(pkgDir) {
  if (!existsSync(path.join(pkgDir, "session_keeper.js"))) {
    throw new Error(`${pkgDir}/session_keeper.js is missing: run \`make pkg\` first (or set BENCH_SKIP_SESSION_KEEPER=1)`);
  }
  const files = new Map();
  const snippets = path.join(pkgDir, "snippets");
  const names = [
    ...readdirSync(pkgDir),
    ...(existsSync(snippets) ? readdirSync(snippets, { recursive: true }).map((n) => path.join("snippets", String(n))) : []),
  ].sort();
  for (const name of names) {
    if (!/\.(js|mjs|wasm)$/.test(name) || /react/i.test(name)) continue;
    files.set(`/pkg/${name.split(path.sep).join("/")}`, readFileSync(path.join(pkgDir, name)));
  }
  return files;
}

// In-page code cannot share a helper (Playwright sends each function's source alone), so each
// function below opens the keeper either way the package offers: `createSessionKeeper` (it loads
// the wasm itself) when exported, else the wasm-bindgen default init and `new SessionKeeper`.
const sessionKeeper = {
  id: "session-keeper",
  async load({ pkgDir }) {
    const files = sessionKeeperFiles(pkgDir);
    const pkgJson = path.join(pkgDir, "package.json");
    const version = existsSync(pkgJson) ? JSON.parse(readFileSync(pkgJson, "utf8")).version : "unknown";
    return { version, files, moduleUrl: "/pkg/session_keeper.js", entry: "every pkg/*.js and pkg/*.wasm except a React entry" };
  },
  // Seeding runs the SDK itself once, so the stored record has whatever format it writes now.
  seed: async (args) => {
    const m = await import(args.moduleUrl);
    const options = { environmentId: args.environmentId };
    const k = typeof m.createSessionKeeper === "function"
      ? await m.createSessionKeeper(options)
      : (await m.default(), new m.SessionKeeper(options));
    await k.setSession(args.jwt);
    if (!k.session) throw new Error("setSession left no session");
    window.__benchSdk = k;
  },
  coldStart: async (args) => {
    const t0 = performance.now();
    const m = await import(args.moduleUrl);
    const options = { environmentId: args.environmentId };
    const k = typeof m.createSessionKeeper === "function"
      ? await m.createSessionKeeper(options)
      : (await m.default(), new m.SessionKeeper(options));
    if (!k.session) throw new Error("the stored session was not restored");
    const ms = performance.now() - t0;
    window.__benchSdk = k;
    return ms;
  },
  openIdle: async (args) => {
    const m = await import(args.moduleUrl);
    const options = { environmentId: args.environmentId };
    const k = typeof m.createSessionKeeper === "function"
      ? await m.createSessionKeeper(options)
      : (await m.default(), new m.SessionKeeper(options));
    if (!k.session) throw new Error("the stored session was not restored");
    window.__benchSdk = k;
    return `${typeof m.createSessionKeeper === "function" ? "createSessionKeeper" : "default() + new SessionKeeper"}({ environmentId }), session restored from storage`;
  },
};

/** A peer SDK's npm package, bundled with esbuild --minify: what a cold start imports. */
async function loadPeer(pkg, names) {
  const entry = `export { ${names} } from "${pkg}";`;
  const moduleUrl = `/peers/${pkg.replace(/^@/, "").replace(/\//g, "-")}.js`;
  return { version: installedVersion(pkg), files: new Map([[moduleUrl, await bundle(entry)]]), moduleUrl, entry };
}

// ---- oidc-client-ts ------------------------------------------------------------------------

const oidc = {
  id: "oidc-client-ts",
  load: () => loadPeer("oidc-client-ts", "UserManager, WebStorageStateStore"),
  // A stored user under the key UserManager reads: `oidc.user:<authority>:<client_id>`.
  seed: async (args) => {
    const authority = `${location.origin}/oidc`;
    const c = args.claims;
    const user = {
      id_token: args.jwt, session_state: null, access_token: args.jwt, refresh_token: "bench-refresh",
      token_type: "Bearer", scope: "openid profile", profile: { sub: c.sub, sid: c.sid, iat: c.iat, exp: c.exp },
      expires_at: c.exp,
    };
    localStorage.setItem(`oidc.user:${authority}:bench-client`, JSON.stringify(user));
  },
  // Default settings (automaticSilentRenew on, as an app would run it); the authority is this
  // server, so a metadata or token request would be seen and reported, not sent anywhere.
  coldStart: async (args) => {
    const t0 = performance.now();
    const m = await import(args.moduleUrl);
    const manager = new m.UserManager({
      authority: `${location.origin}/oidc`, client_id: "bench-client", redirect_uri: `${location.origin}/`,
      userStore: new m.WebStorageStateStore({ store: window.localStorage }),
    });
    const user = await manager.getUser();
    if (!user || user.expired) throw new Error("the stored user was not restored");
    const ms = performance.now() - t0;
    window.__benchSdk = manager;
    return ms;
  },
  openIdle: async (args) => {
    const m = await import(args.moduleUrl);
    const manager = new m.UserManager({
      authority: `${location.origin}/oidc`, client_id: "bench-client", redirect_uri: `${location.origin}/`,
      userStore: new m.WebStorageStateStore({ store: window.localStorage }),
    });
    const user = await manager.getUser();
    if (!user || user.expired) throw new Error("the stored user was not restored");
    window.__benchSdk = manager;
    return "UserManager defaults (automaticSilentRenew: true), user restored with getUser()";
  },
};

// ---- @supabase/auth-js ---------------------------------------------------------------------

const supabase = {
  id: "@supabase/auth-js",
  load: () => loadPeer("@supabase/auth-js", "GoTrueClient, AuthClient"),
  // A stored session under the configured storageKey, unexpired, so no refresh is due.
  seed: async (args) => {
    const c = args.claims;
    const session = {
      access_token: args.jwt, refresh_token: "bench-refresh", token_type: "bearer",
      expires_in: c.exp - c.iat, expires_at: c.exp,
      user: {
        id: c.sub, aud: "authenticated", role: "authenticated", email: "bench@example.com",
        app_metadata: { provider: "email" }, user_metadata: {}, created_at: new Date(c.iat * 1000).toISOString(),
      },
    };
    localStorage.setItem("sb-bench-auth-token", JSON.stringify(session));
  },
  coldStart: async (args) => {
    const t0 = performance.now();
    const m = await import(args.moduleUrl);
    const client = new m.GoTrueClient({
      url: `${location.origin}/supabase/auth/v1`, storageKey: "sb-bench-auth-token", storage: window.localStorage,
      persistSession: true, autoRefreshToken: false,
    });
    const { data, error } = await client.getSession();
    if (error || !data.session) throw new Error(`the stored session was not restored: ${error?.message ?? "null session"}`);
    const ms = performance.now() - t0;
    window.__benchSdk = client;
    return ms;
  },
  // Idle runs with auto-refresh as configured by the caller: on (the library's default, what
  // keeps a session alive) for the table, off as a second data point.
  openIdle: async (args) => {
    const m = await import(args.moduleUrl);
    const client = new m.GoTrueClient({
      url: `${location.origin}/supabase/auth/v1`, storageKey: "sb-bench-auth-token", storage: window.localStorage,
      persistSession: true, autoRefreshToken: args.autoRefreshToken,
    });
    const { data, error } = await client.getSession();
    if (error || !data.session) throw new Error(`the stored session was not restored: ${error?.message ?? "null session"}`);
    window.__benchSdk = client;
    return `GoTrueClient autoRefreshToken: ${args.autoRefreshToken}, session restored with getSession()`;
  },
  idleVariants: [{ autoRefreshToken: true }, { autoRefreshToken: false }],
};

export const SDKS = [sessionKeeper, oidc, supabase];
