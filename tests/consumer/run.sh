#!/usr/bin/env bash
# The package as a customer gets it: `npm pack` of pkg/, installed into a fresh Vite app
# (template: this directory), then:
#   0. the app's TypeScript (src/types-check.ts) type-checked against the installed types;
#   1. plain Node.js (node-check.mjs): createSessionKeeper from the installed package, memory
#      storage, a session kept without destroy() — the script must exit by itself (10 s limit);
#   2. `vite build`, the built dist/ served by a tiny static server, checked in headless
#      Chromium (check.mjs);
#   3. the `vite` dev server, with no configuration (Vite pre-bundles the package), the same check;
#   4. Vite SSR (ssr-server.mjs): the package imported by a server module through ssrLoadModule
#      without side effects, the server-rendered page taken over by the client in Chromium.
# Run from anywhere: bash tests/consumer/run.sh
#   SK_CONSUMER_PKG  the package directory to pack, default pkg/
#   SK_CHROMIUM      browser, default /usr/bin/chromium
set -euo pipefail
# picocolors colours output whenever CI is set, which would break the URL parsing below.
export NO_COLOR=1

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
pkg_dir="$(realpath -m "${SK_CONSUMER_PKG:-$repo/pkg}")"
[ -f "$pkg_dir/package.json" ] || { echo "$pkg_dir is missing: run \`make pkg\` first" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/session-keeper-consumer.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
start=$(date +%s)

# Starts a server in the background (logging to $work/<name>.log) and sets $url to the first
# http://127.0.0.1:<port>/ it prints (within 15 s).
serve() {
  local name=$1; shift
  "$@" >"$work/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  url=""
  for _ in $(seq 1 150); do
    url="$(grep -oE 'http://127\.0\.0\.1:[0-9]+/' "$work/$name.log" | head -n1 || true)"
    [ -n "$url" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "the $name server did not start:" >&2; cat "$work/$name.log" >&2; exit 1
}

# The tarball npm would publish.
tarball="$(cd "$pkg_dir" && npm pack --silent --pack-destination "$work")"
echo "packed $tarball: $(tar -tzf "$work/$tarball" | sed 's|^package/||' | sort | tr '\n' ' ')"

# A fresh app from the template, with the tarball and Vite installed.
mkdir "$work/app"
cp "$here/package.json" "$here/index.html" "$here/tsconfig.json" \
  "$here/node-check.mjs" "$here/ssr-server.mjs" "$work/app/"
cp -r "$here/src" "$work/app/src"
cd "$work/app"
timeout 600 npm install --no-audit --no-fund --prefer-offline --loglevel=error "$work/$tarball"
vite="$work/app/node_modules/.bin/vite"
[ ! -e node_modules/react ] || { echo "react got installed: it must stay an optional peer" >&2; exit 1; }

# 0. The installed package's types resolve for a TypeScript app (repo's tsc, app's node_modules).
timeout 120 "$repo/node_modules/.bin/tsc" -p "$work/app/tsconfig.json"
echo "types resolve from the installed package (main entry and session-keeper/react)"

# 1. Plain Node.js, from the installed package; it must exit by itself.
rc=0
timeout 10 node node-check.mjs || rc=$?
if [ "$rc" = 124 ]; then
  echo "node-check.mjs did not exit within 10 s: a keeper's timers keep Node.js alive" >&2; exit 1
elif [ "$rc" != 0 ]; then
  echo "node-check.mjs failed (exit $rc)" >&2; exit 1
fi

# 2. A production build. The main entry must not pull in the React entry (session-keeper/react).
timeout 300 "$vite" build --logLevel warn
if grep -rqF 'useSyncExternalStore' dist/assets/; then
  echo "the built app contains React code: the main entry must not import session-keeper/react" >&2; exit 1
fi
timeout 180 node "$here/check.mjs" --dist "$work/app/dist"

# 3. The dev server (started directly, not through npx, so that its pid is Vite itself).
serve dev "$vite" --host 127.0.0.1 --port 0 --clearScreen false
timeout 180 node "$here/check.mjs" --url "$url"

# 4. Vite SSR.
serve ssr node ssr-server.mjs
grep -F "no side effects" "$work/ssr.log"
timeout 180 node "$here/check.mjs" --ssr "$url"

echo "consumer check took $(( $(date +%s) - start )) s"
