#!/usr/bin/env bash
# build.sh OUTDIR - builds the browser app that gavel-gw serves (gavel-gw --web OUTDIR).
#
# Theory of operation: the app's sources (src/) import CodeMirror 6 and KaTeX from npm. This script
# installs exactly the versions in package-lock.json with `npm ci` into node_modules/ beside it, but
# only when the lock file changed since the last install (a stamp in node_modules/ holds the lock's
# SHA-256) or node_modules/ is missing, so a repeated build costs only the bundling. build.mjs then
# bundles with esbuild into OUTDIR: index.html, app.js, app.css and the KaTeX fonts under fonts/.
# Nothing downloaded is ever committed: only the sources and the lock file are.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$(realpath -m "$1")"
cd "$HERE"

command -v npm >/dev/null 2>&1 || { echo "build.sh: npm not found (install nodejs and npm)" >&2; exit 1; }
stamp="node_modules/.gavel-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "build.sh: npm ci in $HERE"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" >"$stamp"
fi

mkdir -p "$OUT"
node build.mjs "$OUT"
