#!/usr/bin/env bash
# The type suite (make test runs this): the package's published types as an app compiles them.
#   1. tsconfig.json: usage.ts, signatures.ts, react.ts — exact types and @ts-expect-error
#      probes of the public surface, strict, skipLibCheck false, lib ES2022 + DOM only;
#   2. tsconfig.readme.json: every ```ts / ```tsx block of README.md and pkg-template/README.md
#      (extracted by extract-readme.mjs), so that the READMEs cannot drift from the types.
# "session-keeper" resolves as in an app: node_modules/session-keeper here is a link to pkg/,
# read through its package.json "exports" (so "session-keeper/react" is the exports subpath).
#   bash tests/types/run.sh          (needs pkg/: make pkg)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
start=$(date +%s)
tsc="$repo/node_modules/.bin/tsc"
[ -x "$tsc" ] || { echo "no tsc at $tsc: run \`make tools-node\` (npm ci)" >&2; exit 1; }
[ -f "$repo/pkg/package.json" ] || { echo "pkg/ is missing: run \`make pkg\` first" >&2; exit 1; }

mkdir -p "$here/node_modules"
ln -sfn ../../../pkg "$here/node_modules/session-keeper"

echo "tsc $("$tsc" --version | sed 's/^Version //'): the package's types (usage.ts, signatures.ts, react.ts)"
"$tsc" -p "$here/tsconfig.json"

node "$here/extract-readme.mjs"
if [ "$(cat "$here/readme/count")" -gt 0 ]; then
  # Errors name tests/types/readme/<README>/block-L<n>.ts(<line>,<col>): <line> is the README's.
  "$tsc" -p "$here/tsconfig.readme.json" || {
    echo "a README TypeScript block does not compile. Line numbers above are the README's own" \
      "(tests/types/readme/README/... is README.md, readme/pkg-template-README/... is" \
      "pkg-template/README.md). Fix the example; declare app functions it calls in" \
      "tests/types/readme-prelude.d.ts; mark a block that is not meant to compile \`\`\`ts no-check." >&2
    exit 1
  }
fi
echo "types suite passed in $(( $(date +%s) - start )) s"
