// session-keeper shell: the requests the SDK makes itself (`send`), what a response says about
// the session (`answerOf`), and the server's clock (`serverTime`).

import { now, timer } from "./timers.js";

const REQUEST_TIMEOUT_MS = 10000;
export const SERVER_TIME_WAIT_MS = 3000;

/** `{ status, date, expired }` of a request the SDK makes itself (never from a cache); never
 * rejects. Timed out with an AbortController and a timer (`AbortSignal.timeout` is missing
 * before Safari 16). */
export async function send(method, url, token) {
  const headers = token ? { Authorization: "Bearer " + token } : {};
  const abort = globalThis.AbortController && new AbortController();
  const timeout = abort && timer(() => abort.abort(), REQUEST_TIMEOUT_MS);
  try {
    const response = await fetch(url, { method, headers, cache: "no-store", signal: abort?.signal });
    return await answerOf(response, true);
  } catch {
    return { status: 0, date: NaN, expired: false };
  } finally {
    clearTimeout(timeout);
  }
}

/** What a response says about the session. Its `Date` is the server's clock only when the
 * response is `fresh` from the server: a cached response's `Date` is as old as the cache entry. */
export async function answerOf(response, fresh) {
  let expired = false;
  if (response.status === 401) {
    // Dynamic's API says why: `{ "error": { "code": "token_expired" } }`.
    expired = await response
      .clone()
      .json()
      .then((body) => body?.error?.code === "token_expired", () => false);
  }
  const date = fresh && !response.headers.has("age") ? Date.parse(response.headers.get("date") ?? "") : NaN;
  return { status: response.status, date, expired };
}

/** An answer's `expired` as the core's argument `b`. */
export const expiredFlag = (answer) => (answer.expired ? "expired" : undefined);

/** Calls `use(value)` when `promise` settles: at once (synchronously) if it already has. */
export function settled(promise, use) {
  if (!promise) return;
  if ("value" in promise) use(promise.value);
  else promise.then(use);
}

/** The server's clock: `{ date, at }` from one no-store request, or null. */
export function serverTime(api) {
  // The settled value is kept on the promise, so that a keeper created after it arrived times
  // its first session with it synchronously (see `settled`).
  const promise = send("GET", api.sdk + "/.well-known/jwks").then(({ date }) => {
    promise.value = date >= 0 ? { date, at: now() } : null;
    return promise.value;
  });
  return promise;
}
