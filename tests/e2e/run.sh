#!/usr/bin/env bash
# run.sh - ctest entry of the e2e tests: the browser app in real headless Chromium.
#
# Theory of operation: playwright-core (the browser driver only; it never downloads a browser here)
# is installed with `npm ci` from this folder's lock file into $GAVEL_BUILD_DIR/e2e/node, again only
# when the lock changed. The app is (re)built into $GAVEL_BUILD_DIR/web by its own build.sh (fast
# when nothing changed). app.test.mjs then starts a private Redis, a real gavel-gw and a real
# gavel-judge worker, drives Debian's /usr/bin/chromium through the app, and stops them all.
# Screenshots and the daemons' logs are left in $GAVEL_BUILD_DIR/e2e/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${GAVEL_SOURCE_DIR:?set by ctest}" "${GAVEL_BUILD_DIR:?set by ctest}"
NODE_DIR="$GAVEL_BUILD_DIR/e2e/node"

for f in /usr/bin/chromium "$GAVEL_BUILD_DIR/frontend-gw/gavel-gw" "$GAVEL_BUILD_DIR/judge/gavel-judge"; do
    [ -x "$f" ] || { echo "run.sh: $f is missing (./gavel test installs and builds it)" >&2; exit 1; }
done

mkdir -p "$NODE_DIR"
want="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$NODE_DIR/node_modules/.gavel-lock.sha256" ] || [ "$(cat "$NODE_DIR/node_modules/.gavel-lock.sha256")" != "$want" ]; then
    cp "$HERE/package.json" "$HERE/package-lock.json" "$NODE_DIR/"
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$NODE_DIR/node_modules/.gavel-lock.sha256"
fi

"$GAVEL_SOURCE_DIR/frontend-gw/web/build.sh" "$GAVEL_BUILD_DIR/web"

export E2E_NODE_MODULES="$NODE_DIR/node_modules"
exec node --test-reporter=spec "$HERE/app.test.mjs"
