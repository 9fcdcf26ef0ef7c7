#!/usr/bin/env bash
# Type-checks SessionBridge.tsx against the published types of @dynamic-labs/sdk-react-core and
# against this repository's session-keeper package (../../pkg, mapped in tsconfig.json paths).
#
# Installs from the committed package-lock.json (npm ci, no install scripts) when node_modules
# is missing or older than the lock, then runs tsc --noEmit. Needs `make pkg` first.
#
# Pinned to @dynamic-labs/sdk-react-core 4.96.3: 5.3.2 (the npm "latest") pins sibling packages
# (@dynamic-labs/iconic@5.3.2, @dynamic-labs-wallet/browser-wallet-client@1.0.106) that the
# registry this was set up against does not have. The override of
# @dynamic-labs/message-transport (a wallet-client dependency asking for ^5, whose 5.x pins
# siblings that are missing too) keeps the whole tree at 4.96.3; it does not touch the types the
# example uses (getAuthToken, useDynamicContext, DynamicContextProvider settings.events), which
# are the same in 5.3.2.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if [ ! -f ../../pkg/session_keeper.d.ts ] || [ ! -f ../../pkg/react.d.ts ]; then
  echo "examples/dynamic-react/check.sh: ../../pkg is missing: run \`make pkg\` first" >&2
  exit 1
fi

if [ ! node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "examples/dynamic-react: npm ci (about 230 MB, once)"
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
fi

node_modules/.bin/tsc --noEmit -p tsconfig.json
echo "examples/dynamic-react: SessionBridge.tsx type-checks against @dynamic-labs/sdk-react-core $(node -p 'require("./node_modules/@dynamic-labs/sdk-react-core/package.json").version') and ../../pkg"
