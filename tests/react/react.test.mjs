// Drives the React check app (built by run.sh from the packed tarball) in headless Chromium
// against the reference backend, which serves the built app itself (`--www <dist>`), so the
// app signs in through the backend's demo route on its own origin.
//
// For each build (production; development with <StrictMode>, where React prints its
// warnings), two scenarios, one browser context each:
//   one tab (Playwright's clock installed before the page loads): sign in, connect a wallet,
//     disconnect an unknown one (no render), disconnect it, replace the user, sign in again
//     (replaces the session), log out, expiry by the end timer (clock fast-forwarded), expiry
//     noticed by a getter read inside a render (clock moved without firing any timer);
//   two tabs (no fake clock): a sign-in, a wallet and a logout in tab A reach tab B; a reload
//     of A restores the session and changes nothing in B.
// After every step: both views (`useSession` and bare `useSyncExternalStore`) show the state,
// show the same, rendered exactly once per change (twice per change under StrictMode, which
// calls every component function twice per render), rendered the very snapshot
// `getSnapshot()` returns, and the page printed no console warning or error. The last test
// fails on any console warning, console error or uncaught page error seen anywhere.
//
//   SK_REACT_DIST_PROD, SK_REACT_DIST_DEV   the two `vite build` outputs (run.sh sets them)
//   SK_SERVER_BIN                           default target/server/session-keeper-server
//   SK_CHROMIUM                             default /usr/bin/chromium

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "../..");
const ARTIFACTS = path.join(HERE, "artifacts");
const SERVER_BIN = path.resolve(REPO, process.env.SK_SERVER_BIN || "target/server/session-keeper-server");
const CHROMIUM = process.env.SK_CHROMIUM || "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
/** Bound on every Playwright action and every wait. */
const WAIT_MS = 10_000;
const STEP_TIMEOUT_MS = 45_000;
const STORAGE_KEY = "session-keeper:env-demo";
const BARRIER_KEY = "react-check-barrier";

const BUILDS = [
  { name: "production build", dist: process.env.SK_REACT_DIST_PROD, strict: false },
  { name: "development build in StrictMode", dist: process.env.SK_REACT_DIST_DEV, strict: true },
].filter((build) => build.dist);
if (BUILDS.length === 0) throw new Error("set SK_REACT_DIST_PROD and/or SK_REACT_DIST_DEV (tests/react/run.sh does)");

const WALLET_1 = "0x1111111111111111111111111111111111111111";
const WALLET_UNKNOWN = "0x2222222222222222222222222222222222222222";
const WALLET_3 = "0x3333333333333333333333333333333333333333";

// ---- the backend --------------------------------------------------------------------------------

/** Starts the reference backend on a free port, serving `www` (the built app). */
async function startBackend(www) {
  if (!existsSync(SERVER_BIN)) throw new Error(`no server binary at ${SERVER_BIN} (set SK_SERVER_BIN)`);
  const child = spawn(SERVER_BIN, ["--port", "0", "--www", www, "--pkg", path.join(REPO, "pkg")], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || "warn" },
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  let output = "";
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the backend printed no URL within 30 s:\n${output}`)), 30_000);
      child.stdout.setEncoding("utf8").on("data", (chunk) => {
        output += chunk;
        const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[0]);
        }
      });
      child.stderr.setEncoding("utf8").on("data", (chunk) => { output += chunk; });
      child.once("error", (error) => { clearTimeout(timer); reject(error); });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`the backend exited (code ${code}, signal ${signal}) before printing its URL:\n${output}`));
      });
    });
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      process.off("exit", killOnExit);
    };
    return { origin: url.replace(/\/$/, ""), stop };
  } catch (error) {
    child.kill("SIGKILL");
    process.off("exit", killOnExit);
    throw error;
  }
}

// ---- waiting and reading --------------------------------------------------------------------------

/** Polls `check()` until it returns a truthy value; bounded. The error shows the last value. */
async function until(check, { timeoutMs = WAIT_MS, message = "a condition", describe: show = (v) => v } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    let value;
    try {
      value = await check();
      if (value && !value.__no) return value;
      last = value && value.__no ? value.state : value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(show(last), null, 1);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}; last seen: ${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Everything the test looks at in one page, read in one go: the two views as rendered (DOM
 * text), the render counters, the recorded snapshots, identity checks against getSnapshot().
 */
function readState(page) {
  return page.evaluate(({ storageKey }) => {
    const view = (name) => {
      const root = document.querySelector(`[data-testid="${name}-view"]`);
      if (!root) return null;
      const field = (f) => root.querySelector(`[data-field="${f}"]`)?.textContent ?? null;
      return {
        state: root.dataset.state,
        renders: Number(root.dataset.renders),
        status: field("status"),
        userName: field("user-name"),
        userId: field("user-id"),
        sessionId: field("session-id"),
        token: field("token"),
        persistence: field("persistence"),
        wallets: [...root.querySelectorAll('[data-field="wallet"]')].map((li) => `${li.dataset.address}:${li.dataset.verified}`),
      };
    };
    const keeper = window.keeper;
    if (!keeper) return { ready: document.documentElement.dataset.ready ?? null };
    const snap = keeper.getSnapshot();
    const lastEnd = document.querySelector('[data-testid="last-end"]');
    const peek = document.querySelector('[data-testid="peek"]');
    return {
      ready: document.documentElement.dataset.ready ?? null,
      renders: { ...window.__renders },
      changes: window.__changes.length,
      views: { hook: view("hook"), bare: view("bare") },
      snapshot: {
        isActive: snap.isActive,
        sessionId: snap.session?.sessionId ?? null,
        userId: snap.session?.userId ?? null,
        expiresAt: snap.session?.expiresAt ?? null,
        userName: typeof snap.user?.name === "string" ? snap.user.name : null,
        token: snap.token ? "present" : "none",
        wallets: snap.wallets.map((w) => `${w.address}:${w.verified}`),
        persistence: snap.persistence,
      },
      identity: {
        getSnapshotStable: keeper.getSnapshot() === snap,
        hookRenderedCurrent: window.__rendered.hook === snap,
        bareRenderedCurrent: window.__rendered.bare === snap,
        lastListenerCallIsCurrent: window.__changes[window.__changes.length - 1] === snap,
        frozen: Object.isFrozen(snap) && Object.isFrozen(snap.wallets) && snap.wallets.every(Object.isFrozen)
          && (snap.session === null || Object.isFrozen(snap.session)) && (snap.user === null || Object.isFrozen(snap.user)),
      },
      ends: window.__ends.map((e) => ({ reason: e.reason, remote: e.remote, sessionId: e.sessionId })),
      starts: window.__starts.map((e) => ({ sessionId: e.session.sessionId, remote: e.remote })),
      lastEnd: { reason: lastEnd?.dataset.reason ?? null, remote: lastEnd?.dataset.remote ?? null, text: lastEnd?.textContent ?? null },
      peek: peek ? { ...peek.dataset } : null,
      message: document.querySelector('[data-testid="message"]')?.textContent ?? null,
      stored: localStorage.getItem(storageKey) !== null,
    };
  }, { storageKey: STORAGE_KEY });
}

/** True when both views show every field of `expected` (wallets: the full list). */
function viewsShow(state, expected) {
  return ["hook", "bare"].every((name) => {
    const v = state.views?.[name];
    return v && Object.entries(expected).every(([key, value]) => JSON.stringify(v[key]) === JSON.stringify(value));
  });
}

/** Waits until both views of `page` show `expected` and `extra(state)` holds; returns the state. */
function waitForViews(page, expected, { extra = () => true, message } = {}) {
  return until(async () => {
    const state = await readState(page);
    return viewsShow(state, expected) && extra(state) ? state : { __no: true, state };
  }, {
    message: message || `both views to show ${JSON.stringify(expected)}`,
    describe: (s) => s && ({ views: s.views, message: s.message, lastEnd: s.lastEnd, snapshot: s.snapshot }),
  });
}

/**
 * Lets the page run everything already queued: two turns of a MessageChannel (not faked by
 * Playwright's clock; React's scheduler uses one too) after every pending microtask.
 */
function settle(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const channel = new MessageChannel();
    let turns = 0;
    channel.port1.onmessage = () => {
      turns += 1;
      if (turns === 2) {
        channel.port1.close();
        resolve();
      } else {
        channel.port2.postMessage(0);
      }
    };
    channel.port2.postMessage(0);
  }));
}

/**
 * Makes sure every localStorage write `from` made so far has reached `to`: `from` writes a
 * marker key, and `to` must have received its storage event (events arrive in order).
 */
async function storageBarrier(from, to) {
  const value = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  await to.evaluate((key) => {
    if (window.__barrierListening) return;
    window.__barrierListening = true;
    window.addEventListener("storage", (event) => {
      if (event.key === key) window.__barrier = event.newValue;
    });
  }, BARRIER_KEY);
  await from.evaluate(([key, v]) => localStorage.setItem(key, v), [BARRIER_KEY, value]);
  await until(() => to.evaluate((v) => window.__barrier === v, value), { message: "the marker's storage event in the other tab" });
}

const ACTIVE = { state: "active", status: "Signed in", token: "present" };
const SIGNED_OUT = { state: "none", status: "Signed out", userName: "—", userId: "—", sessionId: "—", token: "none", wallets: [] };

// ---- the suite ----------------------------------------------------------------------------------

let browser;
before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}, { timeout: 60_000 });
after(async () => {
  await browser?.close().catch(() => {});
});

/** Console warnings/errors and uncaught errors of every page, with the step they came in. */
const problems = [];
let currentStep = "(setup)";

for (const build of BUILDS) {
  describe(`React app, ${build.name}`, () => {
    const perChange = build.strict ? 2 : 1;
    const query = build.strict ? "/?strict" : "/";
    let backend;
    const contexts = [];

    before(async () => {
      backend = await startBackend(path.resolve(build.dist));
    }, { timeout: 60_000 });
    after(async () => {
      for (const context of contexts) await context.close().catch(() => {});
      await backend?.stop();
    });

    async function newContext() {
      const context = await browser.newContext({ baseURL: backend.origin, viewport: { width: 1200, height: 900 } });
      context.setDefaultTimeout(WAIT_MS);
      context.on("page", (page) => {
        const where = () => `[${build.name} · ${currentStep} · ${page.url()}]`;
        page.on("console", (msg) => {
          if (msg.type() === "error" || msg.type() === "warning") problems.push(`${where()} console.${msg.type()}: ${msg.text()}`);
        });
        page.on("pageerror", (error) => problems.push(`${where()} uncaught: ${error.message}`));
      });
      contexts.push(context);
      return context;
    }

    /** A step of `scenario`: skipped once an earlier step of it failed; screenshots on failure. */
    function step(scenario, name, fn) {
      test(name, { timeout: STEP_TIMEOUT_MS }, async (t) => {
        if (scenario.failed) {
          t.skip(`an earlier step of "${scenario.name}" failed`);
          return;
        }
        currentStep = name;
        const problemsBefore = problems.length;
        try {
          await fn();
          assert.deepEqual(problems.slice(problemsBefore), [], "no console warning or error during this step");
        } catch (error) {
          scenario.failed = true;
          await screenshots(`${build.name}-${name}`, contexts);
          const seen = problems.slice(problemsBefore);
          if (seen.length && error instanceof Error && !error.message.includes(seen[0])) {
            error.message += `\n--- console during this step ---\n${seen.join("\n")}`;
          }
          throw error;
        }
      });
    }

    /** Opens the app in a new page of `context` and checks the first render. */
    async function openApp(context, { page, clock = false } = {}) {
      page ??= await context.newPage();
      if (clock) await page.clock.install();
      await page.goto(query);
      return checkFirstRender(page);
    }

    /** Right after a load: one listener call (the first), one render per view, nothing else. */
    async function checkFirstRender(page) {
      const ready = await until(async () => {
        const s = await readState(page);
        return s.ready ? s : null;
      }, { message: "the app to start (data-ready)" });
      assert.equal(ready.ready, "true", `the app started: ${await page.locator("#root").textContent()}`);
      assert.equal(await page.evaluate(() => document.documentElement.dataset.strict), String(build.strict));
      await settle(page);
      const state = await readState(page);
      assert.equal(state.changes, 1, "subscribe called the listener once, at once, and nothing changed since");
      assert.deepEqual(state.renders, { hook: perChange, bare: perChange }, "each view rendered once");
      checkConsistent(state, "first render");
      return { page, state };
    }

    /** Both views show the snapshot getSnapshot() returns now, and the very same object. */
    function checkConsistent(state, label) {
      for (const name of ["hook", "bare"]) {
        const v = state.views[name];
        assert.ok(v, `${label}: the ${name} view is on the page`);
        assert.equal(v.renders, state.renders[name], `${label}: the ${name} view's last render was committed`);
        const s = state.snapshot;
        assert.deepEqual({
          state: v.state, sessionId: v.sessionId, userId: v.userId, userName: v.userName, token: v.token,
          wallets: v.wallets, persistence: v.persistence,
        }, {
          state: s.isActive ? "active" : "none", sessionId: s.sessionId ?? "—", userId: s.userId ?? "—",
          userName: s.userName ?? "—", token: s.token, wallets: s.wallets, persistence: s.persistence,
        }, `${label}: the ${name} view shows keeper.getSnapshot()`);
      }
      const { renders: _h, ...hook } = state.views.hook;
      const { renders: _b, ...bare } = state.views.bare;
      assert.deepEqual(hook, bare, `${label}: useSession and bare useSyncExternalStore show the same`);
      assert.deepEqual(state.identity, {
        getSnapshotStable: true, hookRenderedCurrent: true, bareRenderedCurrent: true,
        lastListenerCallIsCurrent: true, frozen: true,
      }, `${label}: one frozen snapshot object, the one both views rendered and the listener got last`);
    }

    /**
     * After a step that should have made `changes` changes (the page already shows the result):
     * let queued work run, then check the counts: `changes` listener calls, exactly
     * `changes` renders per view (× 2 under StrictMode), and a consistent page.
     */
    async function checkStep(page, before, changes, label) {
      await settle(page);
      const state = await readState(page);
      assert.equal(state.changes - before.changes, changes, `${label}: subscribe listener calls (one per change)`);
      assert.deepEqual(
        { hook: state.renders.hook - before.renders.hook, bare: state.renders.bare - before.renders.bare },
        { hook: changes * perChange, bare: changes * perChange },
        `${label}: renders of each view (${perChange} per change${build.strict ? ": StrictMode renders twice" : ""})`,
      );
      checkConsistent(state, label);
      return state;
    }

    async function signIn(page, { userId, name, lifetime = 3600 }) {
      await page.getByTestId("signin-user-id").fill(userId);
      await page.getByTestId("signin-name").fill(name);
      await page.getByTestId("signin-lifetime").fill(String(lifetime));
      await page.getByTestId("signin-button").click();
    }

    const tag = build.strict ? "dev" : "prod";
    const userId = (n) => `react-${tag}-${process.pid}-${n}`;

    // ---- one tab, Playwright's clock ----------------------------------------------------------------
    const one = { name: "one tab", failed: false };

    step(one, "one tab: the app loads signed out; first subscribe call, one render per view", async () => {
      const context = await newContext();
      const { page, state } = await openApp(context, { clock: true });
      one.page = page;
      assert.ok(viewsShow(state, SIGNED_OUT), `signed out: ${JSON.stringify(state.views)}`);
      assert.deepEqual(state.ends, []);
      assert.deepEqual(state.starts, []);
    });

    step(one, "sign in through the backend: both views show the session, one render", async () => {
      const { page } = one;
      const before = await readState(page);
      await signIn(page, { userId: userId(1), name: "Ada" });
      const shown = await waitForViews(page, { ...ACTIVE, userName: "Ada", userId: userId(1), wallets: [], persistence: "local" });
      const state = await checkStep(page, before, 1, "sign in");
      assert.match(shown.views.hook.sessionId, /\S/);
      assert.equal(state.snapshot.sessionId, shown.views.hook.sessionId);
      assert.equal(state.stored, true, "persisted in localStorage");
      assert.deepEqual(state.starts, [{ sessionId: state.snapshot.sessionId, remote: false }]);
      one.sessionId = state.snapshot.sessionId;
    });

    step(one, "connect a wallet: shown, one render", async () => {
      const { page } = one;
      const before = await readState(page);
      await page.getByTestId("wallet-address").fill(WALLET_1);
      await page.getByTestId("connect-wallet").click();
      await waitForViews(page, { ...ACTIVE, sessionId: one.sessionId, wallets: [`${WALLET_1}:false`] });
      await checkStep(page, before, 1, "connect wallet");
    });

    step(one, "disconnect a wallet that is not connected: no render", async () => {
      const { page } = one;
      const before = await readState(page);
      await page.getByTestId("wallet-address").fill(WALLET_UNKNOWN);
      await page.getByTestId("disconnect-wallet").click();
      await until(async () => (await readState(page)).message === "no connected wallet has that address",
        { message: "the app to report that nothing was disconnected" });
      const state = await checkStep(page, before, 0, "disconnect an unknown wallet");
      assert.deepEqual(state.views.hook.wallets, [`${WALLET_1}:false`]);
    });

    step(one, "disconnect the wallet: gone, one render", async () => {
      const { page } = one;
      const before = await readState(page);
      await page.getByTestId("wallet-address").fill(WALLET_1);
      await page.getByTestId("disconnect-wallet").click();
      await waitForViews(page, { ...ACTIVE, sessionId: one.sessionId, wallets: [] });
      await checkStep(page, before, 1, "disconnect wallet");
    });

    step(one, "replace the user (setUser): new name, same session, one render", async () => {
      const { page } = one;
      const before = await readState(page);
      await page.getByTestId("new-name").fill("Grace");
      await page.getByTestId("replace-user").click();
      await waitForViews(page, { ...ACTIVE, sessionId: one.sessionId, userName: "Grace", userId: userId(1) });
      await checkStep(page, before, 1, "replace user");
    });

    step(one, "sign in again: the new session replaces the old one in one render", async () => {
      const { page } = one;
      const before = await readState(page);
      await signIn(page, { userId: userId(2), name: "Alan" });
      const shown = await waitForViews(page, { ...ACTIVE, userName: "Alan", userId: userId(2), wallets: [] },
        { extra: (s) => s.views.hook.sessionId !== one.sessionId });
      const state = await checkStep(page, before, 1, "replacing sign-in");
      assert.deepEqual(state.ends.at(-1), { reason: "replaced", remote: false, sessionId: one.sessionId });
      one.sessionId = shown.views.hook.sessionId;
    });

    step(one, "log out: signed out, one render, onSessionEnd says logout", async () => {
      const { page } = one;
      const before = await readState(page);
      await page.getByTestId("logout").click();
      await waitForViews(page, SIGNED_OUT, { extra: (s) => s.message === "logged out" && s.lastEnd.reason === "logout" });
      const state = await checkStep(page, before, 1, "logout");
      assert.deepEqual(state.ends.at(-1), { reason: "logout", remote: false, sessionId: one.sessionId });
      assert.equal(state.lastEnd.text, "Session ended: logout");
      assert.equal(state.stored, false, "removed from localStorage");
    });

    step(one, "expiry (clock fast-forwarded past the end): signed out, one render, reason expired", async () => {
      const { page } = one;
      let before = await readState(page);
      await signIn(page, { userId: userId(3), name: "Short", lifetime: 60 });
      await waitForViews(page, { ...ACTIVE, userName: "Short", userId: userId(3) });
      const started = await checkStep(page, before, 1, "sign in for 60 s");
      const remaining = started.snapshot.expiresAt - await page.evaluate(() => Date.now());
      assert.ok(remaining > 30_000 && remaining <= 60_000, `a 60 s session has ${remaining} ms left`);

      before = started;
      await page.clock.fastForward(remaining + 1_000);
      await waitForViews(page, SIGNED_OUT, { extra: (s) => s.lastEnd.reason === "expired" });
      const state = await checkStep(page, before, 1, "expiry");
      assert.deepEqual(state.ends.at(-1), { reason: "expired", remote: false, sessionId: started.snapshot.sessionId });
      assert.equal(state.lastEnd.text, "Session ended: expired");
      assert.equal(state.stored, false, "removed from localStorage");
    });

    step(one, "expiry noticed by keeper.token read inside a render (clock moved, no timer fired): no expired token, one render", async () => {
      const { page } = one;
      let before = await readState(page);
      await signIn(page, { userId: userId(4), name: "Sleepy", lifetime: 300 });
      await waitForViews(page, { ...ACTIVE, userName: "Sleepy", userId: userId(4) });
      const started = await checkStep(page, before, 1, "sign in for 300 s");
      before = started;
      // The device slept: its clock passes the end, and no timer of the page runs. From here
      // on nothing reads the keeper until <Peek> renders and reads `keeper.token`.
      await page.clock.setSystemTime(started.snapshot.expiresAt + 1_000);
      // A synthetic click (no focus change, so no focus event wakes the SDK first).
      await page.getByTestId("peek-button").dispatchEvent("click");
      const shown = await waitForViews(page, SIGNED_OUT, { extra: (s) => s.lastEnd.reason === "expired" && s.ends.length === before.ends.length + 1 });
      assert.deepEqual(shown.peek, { testid: "peek", reads: String(Number(before.peek.reads) + 1), token: "none", active: "false" },
        "the read inside the render got the ended state, not the expired token");
      const state = await checkStep(page, before, 1, "expiry found by a read");
      assert.deepEqual(state.ends.at(-1), { reason: "expired", remote: false, sessionId: started.snapshot.sessionId });
    });

    // ---- two tabs ---------------------------------------------------------------------------------
    const two = { name: "two tabs", failed: false };

    step(two, "two tabs: both load signed out", async () => {
      const context = await newContext();
      two.a = (await openApp(context)).page;
      two.b = (await openApp(context)).page;
      for (const page of [two.a, two.b]) assert.ok(viewsShow(await readState(page), SIGNED_OUT));
    });

    /** An action in tab A that should make one change in A and, through storage, one in B. */
    async function inBothTabs(label, act, expected, { extraA, extraB } = {}) {
      const { a, b } = two;
      const beforeA = await readState(a);
      const beforeB = await readState(b);
      // The user acts in the tab in front (a background tab gets no animation frames, which
      // Playwright's click waits for).
      await a.bringToFront();
      await act(a);
      const shownA = await waitForViews(a, expected(), { extra: extraA, message: `tab A to show ${label}` });
      await checkStep(a, beforeA, 1, `${label} (tab A)`);
      await waitForViews(b, expected(shownA), { extra: extraB, message: `tab B to follow ${label}` });
      // Every write A made has reached B: nothing more is on its way.
      await storageBarrier(a, b);
      const stateB = await checkStep(b, beforeB, 1, `${label} (tab B)`);
      return { shownA, stateB };
    }

    step(two, "sign in in tab A: tab B follows, one render in each", async () => {
      const { shownA, stateB } = await inBothTabs("the sign-in",
        (a) => signIn(a, { userId: userId(5), name: "Lin" }),
        (shownA) => ({ ...ACTIVE, userName: "Lin", userId: userId(5), wallets: [], ...(shownA && { sessionId: shownA.views.hook.sessionId }) }));
      two.sessionId = shownA.views.hook.sessionId;
      assert.deepEqual(stateB.starts.at(-1), { sessionId: two.sessionId, remote: true });
    });

    step(two, "connect a wallet in tab A: tab B shows it, one render in each", async () => {
      await inBothTabs("the wallet",
        async (a) => {
          await a.getByTestId("wallet-address").fill(WALLET_3);
          await a.getByTestId("connect-wallet").click();
        },
        () => ({ ...ACTIVE, sessionId: two.sessionId, wallets: [`${WALLET_3}:false`] }));
    });

    step(two, "log out in tab A: tab B follows (logout, remote), one render in each", async () => {
      const { stateB } = await inBothTabs("the logout",
        (a) => a.getByTestId("logout").click(),
        () => SIGNED_OUT,
        { extraA: (s) => s.message === "logged out", extraB: (s) => s.lastEnd.reason === "logout" });
      assert.deepEqual(stateB.ends.at(-1), { reason: "logout", remote: true, sessionId: two.sessionId });
      assert.equal(stateB.lastEnd.text, "Session ended: logout (in another tab)");
    });

    step(two, "reload tab A: the session is restored in the first render; tab B does not render", async () => {
      const { shownA } = await inBothTabs("a new sign-in",
        (a) => signIn(a, { userId: userId(6), name: "Joan" }),
        (shownA) => ({ ...ACTIVE, userName: "Joan", userId: userId(6), ...(shownA && { sessionId: shownA.views.hook.sessionId }) }));
      const sessionId = shownA.views.hook.sessionId;
      await inBothTabs("a wallet",
        async (a) => {
          await a.getByTestId("wallet-address").fill(WALLET_1);
          await a.getByTestId("connect-wallet").click();
        },
        () => ({ ...ACTIVE, sessionId, wallets: [`${WALLET_1}:false`] }));

      const beforeB = await readState(two.b);
      await two.a.reload();
      const { state } = await checkFirstRender(two.a);
      assert.ok(viewsShow(state, { ...ACTIVE, sessionId, userName: "Joan", userId: userId(6), wallets: [`${WALLET_1}:false`], persistence: "local" }),
        `restored: ${JSON.stringify(state.views.hook)}`);
      await storageBarrier(two.a, two.b);
      await checkStep(two.b, beforeB, 0, "tab B while tab A reloads");
    });

    test("no React warning or error in any console", () => {
      const mine = problems.filter((p) => p.startsWith(`[${build.name} `));
      assert.deepEqual(mine, [], `console warnings, console errors and uncaught errors:\n${mine.join("\n")}`);
    });
  });
}

async function screenshots(name, contexts) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const base = name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "").toLowerCase().slice(0, 90);
  let index = 0;
  for (const context of contexts) {
    for (const page of context.pages()) {
      index += 1;
      const file = path.join(ARTIFACTS, `${base}-${index}.png`);
      try {
        await page.screenshot({ path: file, fullPage: true, timeout: 5_000 });
        console.error(`screenshot saved: ${path.relative(REPO, file)}`);
      } catch (error) {
        console.error(`no screenshot of ${page.url()}: ${error.message}`);
      }
    }
  }
}
