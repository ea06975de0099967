#!/usr/bin/env bash
# test_gavel_script.sh - ./gavel itself: help lists the verbs, unknown verbs fail, and
# up / up again / status / down on a private var folder and private ports start each thing once
# and leave nothing running.
set -euo pipefail
src="${GAVEL_SOURCE_DIR:?}"
work="$(mktemp -d /tmp/gavel-script-test.XXXXXX)"
export GAVEL_VAR="$work/var" GAVEL_RELEASE_BUILD="${GAVEL_BUILD_DIR:?}/release-for-script-test"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export GAVEL_REDIS_PORT="$(free_port)" GAVEL_LISTEN="127.0.0.1:$(free_port)" GAVEL_WORKERS=1
cleanup() { "$src/gavel" down >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

help="$("$src/gavel" help)"
for verb in up down status test bench; do
    grep -qE "^ *\./gavel $verb" <<<"$help" || fail "help does not list $verb"
done
if "$src/gavel" frobnicate 2>/dev/null; then fail "unknown verb accepted"; fi

"$src/gavel" up >"$work/up1.log" 2>&1 || { cat "$work/up1.log"; fail "up failed"; }
grep -q "redis on 127.0.0.1:$GAVEL_REDIS_PORT" "$work/up1.log" || fail "up did not start redis"
declare -A first
for f in "$GAVEL_VAR"/run/*.pid; do first[$f]="$(cat "$f")"; done
[ "${#first[@]}" -ge 1 ] || fail "no pid files"
grep -q 'appendfsync always' "$GAVEL_VAR/redis/redis.conf" || fail "redis without appendfsync always"

"$src/gavel" up >"$work/up2.log" 2>&1 || { cat "$work/up2.log"; fail "second up failed"; }
for f in "${!first[@]}"; do
    [ "$(cat "$f")" = "${first[$f]}" ] || fail "second up restarted $(basename "$f")"
done
grep -q "already running" "$work/up2.log" || fail "second up did not notice what runs"

"$src/gavel" status >"$work/status.log" 2>&1 || { cat "$work/status.log"; fail "status unhealthy"; }
grep -q '^redis .*PING ok' "$work/status.log" || fail "status does not show redis healthy"

"$src/gavel" down >/dev/null
for f in "${!first[@]}"; do
    if kill -0 "${first[$f]}" 2>/dev/null; then fail "$(basename "$f") still running after down"; fi
done
if "$src/gavel" status >/dev/null 2>&1; then fail "status healthy after down"; fi
echo "gavel script: 1 passed, 0 failed"
