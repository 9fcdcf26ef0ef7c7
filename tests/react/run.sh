#!/usr/bin/env bash
# The package in a React 19 app, as a customer gets it: `npm pack` of pkg/, installed into a
# fresh copy of this directory's Vite app (its own package-lock.json pins React, Vite and the
# React plugin), built twice with `vite build`:
#   dist-prod  the production build;
#   dist-dev   NODE_ENV=development: React's development build, the one that prints warnings
#              ("The result of getSnapshot should be cached", "Cannot update a component while
#              rendering a different component", ...); the test runs it in <StrictMode>.
# Then react.test.mjs serves each build through the reference backend and drives it in
# headless Chromium.
#
#   bash tests/react/run.sh          (needs pkg/ and the server binary: make pkg server)
#   SK_SERVER_BIN  server binary, default target/server/session-keeper-server
#   SK_CHROMIUM    browser, default /usr/bin/chromium
#   SK_REACT_PKG   the package directory to pack, default pkg/
set -euo pipefail
export NO_COLOR=1

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
start=$(date +%s)

pkg_dir="$(realpath -m "${SK_REACT_PKG:-$repo/pkg}")"
[ -f "$pkg_dir/package.json" ] || { echo "$pkg_dir is missing: run \`make pkg\` first" >&2; exit 1; }
export SK_SERVER_BIN="$(cd "$repo" && realpath -m "${SK_SERVER_BIN:-target/server/session-keeper-server}")"
[ -x "$SK_SERVER_BIN" ] || { echo "no server binary at $SK_SERVER_BIN: run \`make server\` or set SK_SERVER_BIN" >&2; exit 1; }
chromium="${SK_CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] || { echo "no browser at $chromium: run \`make tools-browser\` or set SK_CHROMIUM" >&2; exit 1; }
# The test's own dependency (playwright-core) comes from the repository's package-lock.json.
[ -f "$repo/node_modules/playwright-core/package.json" ] \
  || (cd "$repo" && timeout 600 npm ci --no-audit --no-fund --loglevel=error)

work="$(mktemp -d "${TMPDIR:-/tmp}/session-keeper-react.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The tarball npm would publish.
tarball="$(cd "$pkg_dir" && npm pack --silent --pack-destination "$work")"
echo "packed $tarball: $(tar -tzf "$work/$tarball" | sed 's|^package/||' | sort | tr '\n' ' ')"

# A fresh app from this directory: the locked dependencies, then the tarball on top.
mkdir "$work/app"
cp "$here/package.json" "$here/package-lock.json" "$here/index.html" "$here/vite.config.js" "$work/app/"
cp -r "$here/src" "$work/app/src"
cd "$work/app"
timeout 600 npm ci --no-audit --no-fund --prefer-offline --loglevel=error
timeout 600 npm install --no-save --no-audit --no-fund --prefer-offline --loglevel=error "$work/$tarball"
for dep in session-keeper react react-dom vite; do
  printf '%s %s  ' "$dep" "$(node -p "require('./node_modules/$dep/package.json').version")"
done
echo
vite="$work/app/node_modules/.bin/vite"
timeout 300 "$vite" build --logLevel warn --outDir dist-prod
NODE_ENV=development timeout 300 "$vite" build --logLevel warn --outDir dist-dev
# The development build must carry React's warnings, the production build must not.
grep -rqF "getSnapshot should be cached" dist-dev/assets/ \
  || { echo "dist-dev has no React development build (its warnings are missing)" >&2; exit 1; }
if grep -rqF "getSnapshot should be cached" dist-prod/assets/; then
  echo "dist-prod has React's development build" >&2; exit 1
fi

cd "$repo"
SK_REACT_DIST_PROD="$work/app/dist-prod" SK_REACT_DIST_DEV="$work/app/dist-dev" \
  timeout --kill-after=10 600 node --test --test-concurrency=1 --test-reporter=spec "$here/react.test.mjs"

echo "react check took $(( $(date +%s) - start )) s"
