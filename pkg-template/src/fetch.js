// session-keeper shell: `keeper.fetch` — which requests carry the token (the token-origin rule),
// and what an answer from the auth API says about the session.

import { destroyedError } from "./errors.js";
import { answerOf, expiredFlag } from "./http.js";
import { ANSWER_FETCH, SERVER_TIME } from "./ops.js";

/** `keeper.fetch` of one keeper: `gone()` whether it was destroyed, `current()` its snapshot,
 * `run(ask(…))` tells its core what an answer said. */
export function tokenFetch(api, tokenOrigins, gone, current, run, ask) {
  /** Whether `keeper.fetch` may attach the token to `url`: same origin, under `apiBaseUrl`, or
   * an origin the app listed. */
  function mayCarryToken(url) {
    const { origin } = new URL(url);
    return origin === globalThis.location?.origin || underApi(url) || tokenOrigins.includes(origin);
  }

  /** Under the API root (same origin, and its path or below: `…/api/v01` is not). */
  function underApi(url) {
    if (!api) return false;
    const { origin, pathname } = new URL(url);
    return origin === api.origin && (pathname === api.path || pathname.startsWith(api.path + "/"));
  }

  /** Applies what an auth API response to `request` says (a 401 ends the session while it
   * still holds `token`, the token the request carried; the `Date` header of a response fresh
   * from the server times sessions), then hands the response on. */
  async function learn(response, token, request) {
    const fresh = /^(no-store|reload|no-cache)$/.test(request.cache) || /no-store/i.test(response.headers.get("cache-control") ?? "");
    const answer = await answerOf(response, fresh);
    if (!gone()) {
      if (token) run(ask(ANSWER_FETCH, token, expiredFlag(answer), undefined, answer.status, answer.date));
      else if (answer.date >= 0) run(ask(SERVER_TIME, undefined, undefined, undefined, answer.date));
    }
    return response;
  }

  return (input, init) => {
    if (gone()) return Promise.reject(destroyedError());
    return new Promise((resolve) => {
      // Exactly what fetch() does with its arguments (URL resolution, errors), as a promise.
      const request = new Request(input, init);
      const token = current().token; // null once destroyed (a Request's getters may destroy it)
      const carries = token !== null && mayCarryToken(request.url);
      if (carries) request.headers.set("Authorization", "Bearer " + token);
      const sent = fetch(request);
      // An answer from the auth API is about the session: apply it before the caller sees
      // the response, so that after a 401 `keeper.isActive` is already false.
      resolve(underApi(request.url) ? sent.then((response) => learn(response, carries && token, request)) : sent);
    });
  };
}
