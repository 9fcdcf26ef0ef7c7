// session-keeper shell: the options of createSessionKeeper / new SessionKeeper, checked and
// normalised (seconds to milliseconds, `apiBaseUrl` resolved, origins parsed).

import { fail } from "./errors.js";

export const LOG_LEVELS = ["off", "error", "warn", "info", "debug"];

const invalid = (message) => fail("invalid_options", "invalid options: " + message);

function seconds(options, name, fallback) {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0 && value <= 86400)) invalid(name + " must be a number from 0 to 86400");
  return Math.round(value * 1000);
}

function oneOf(options, name, allowed) {
  const value = options[name] ?? allowed[0];
  if (!allowed.includes(value)) invalid(name + " must be " + allowed.map((a) => JSON.stringify(a)).join(", "));
  return value;
}

/** `{ origin, path, sdk }` for `apiBaseUrl` (resolved against the page, as `fetch` would), or null. */
export function apiOf(options) {
  const base = options?.apiBaseUrl;
  if (base === undefined) return null;
  let url;
  try {
    url = base.trim() && new URL(base.trim(), globalThis.location?.href);
  } catch {
    // reported below
  }
  if (!url) {
    invalid("apiBaseUrl must be the API root, like \"https://app.dynamicauth.com/api/v0\" (or a path on this page's origin)");
  }
  const path = url.pathname.replace(/\/+$/, "");
  return { origin: url.origin, path, sdk: url.origin + path + "/sdk/" + encodeURIComponent(options.environmentId) };
}

export function parseOptions(options) {
  if (!options || typeof options !== "object") invalid("options must be an object like { environmentId: \"…\" }");
  const environmentId = options.environmentId;
  if (typeof environmentId !== "string" || !environmentId) invalid("environmentId must be a non-empty string");
  const origins = options.tokenOrigins ?? [];
  if (!Array.isArray(origins)) invalid("tokenOrigins must be an array of origins");
  return {
    environmentId,
    leewayMs: seconds(options, "leewaySeconds", 0),
    storage: oneOf(options, "storage", ["local", "session", "memory"]),
    logLevel: LOG_LEVELS.indexOf(oneOf(options, "logLevel", LOG_LEVELS)),
    api: apiOf(options),
    intervalMs: seconds(options, "revocationCheckIntervalSeconds", 60),
    tokenOrigins: origins.map((origin) => {
      try {
        return new URL(origin).origin;
      } catch {
        return invalid("tokenOrigins must hold origins like \"https://api.example.com\"");
      }
    }),
  };
}
