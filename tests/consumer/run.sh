#!/usr/bin/env bash
# The package as a customer gets it: `npm pack` of pkg/, installed into a fresh Vite app
# (template: this directory), type-checked with tsc, then checked in headless Chromium
# (check.mjs) twice:
#   1. `vite build`, the built dist/ served by a tiny static server;
#   2. the `vite` dev server, with the vite.config.js the package README recommends.
# Run from anywhere: bash tests/consumer/run.sh
set -euo pipefail
# picocolors colours output whenever CI is set, which would break the URL parsing below.
export NO_COLOR=1

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
[ -f "$repo/pkg/package.json" ] || { echo "pkg/ is missing: run \`make pkg\` first" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/session-keeper-consumer.XXXXXX")"
dev_pid=""
cleanup() {
  if [ -n "$dev_pid" ]; then kill "$dev_pid" 2>/dev/null || true; wait "$dev_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
start=$(date +%s)

# The tarball npm would publish.
tarball="$(cd "$repo/pkg" && npm pack --silent --pack-destination "$work")"
echo "packed $tarball: $(tar -tzf "$work/$tarball" | sed 's|^package/||' | sort | tr '\n' ' ')"

# A fresh app from the template, with the tarball and Vite installed.
mkdir "$work/app"
cp "$here/package.json" "$here/index.html" "$here/vite.config.js" "$here/tsconfig.json" "$work/app/"
cp -r "$here/src" "$work/app/src"
cd "$work/app"
npm install --no-audit --no-fund --prefer-offline --loglevel=error "$work/$tarball"
vite="$work/app/node_modules/.bin/vite"

# 0. The installed package's types resolve for a TypeScript app (repo's tsc, app's node_modules).
"$repo/node_modules/.bin/tsc" -p "$work/app/tsconfig.json"
echo "types resolve from the installed package"

# 1. A production build.
"$vite" build --logLevel warn
node "$here/check.mjs" --dist "$work/app/dist"

# 2. The dev server (started directly, not through npx, so that $dev_pid is Vite itself).
"$vite" --host 127.0.0.1 --port 0 --clearScreen false >"$work/dev.log" 2>&1 &
dev_pid=$!
url=""
for _ in $(seq 1 150); do
  url="$(grep -oE 'http://127\.0\.0\.1:[0-9]+/' "$work/dev.log" | head -n1 || true)"
  [ -n "$url" ] && break
  kill -0 "$dev_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$url" ] || { echo "the vite dev server did not start:" >&2; cat "$work/dev.log" >&2; exit 1; }
node "$here/check.mjs" --url "$url"

echo "consumer check took $(( $(date +%s) - start )) s"
