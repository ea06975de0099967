#!/usr/bin/env bash
# test_submit.sh - gavel-submit against a real stack: a private redis-server, a real gavel-gw and
# a real `gavel-judge serve` worker from GAVEL_BUILD_DIR, all on loopback ports picked free.
#
# Checks: an accepted file exits 0 and prints the verdict with time and memory; a wrong answer
# exits 1; a compile error exits 1 and shows the compiler's message; the language is guessed from
# the extension; API errors (unknown problem, unknown language, source too large) exit 3 with the
# API's message, and 429 with its Retry-After; an unreachable gateway exits 4 with a clear sentence; a gateway restart while
# following is survived (reconnect, then the verdict). Everything started is stopped by a trap.
set -euo pipefail
: "${GAVEL_SOURCE_DIR:?set by ctest}" "${GAVEL_BUILD_DIR:?set by ctest}"
[ "$(id -u)" -eq 0 ] || { echo "test_submit: needs root for the sandbox (skipped)"; exit 77; }

SUBMIT="$GAVEL_BUILD_DIR/frontend-gw/gavel-submit"
GW="$GAVEL_BUILD_DIR/frontend-gw/gavel-gw"
JUDGE="$GAVEL_BUILD_DIR/judge/gavel-judge"
PROBLEMS="$GAVEL_SOURCE_DIR/problems"
for f in "$SUBMIT" "$GW" "$JUDGE"; do [ -x "$f" ] || { echo "missing $f" >&2; exit 1; }; done

TMP="$(mktemp -d /tmp/gavel-submit-test-XXXXXX)"
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    sleep 0.3
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    if [ -n "${FAILED:-}" ]; then tail -n 20 "$TMP"/*.log >&2 || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT
fail() { FAILED=1; echo "FAIL: $*" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
RPORT="$(free_port)"; GPORT="$(free_port)"
REDIS="redis://127.0.0.1:$RPORT"
SERVER="http://127.0.0.1:$GPORT"

redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" \
    >"$TMP/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

start_gw() {
    "$GW" --listen "127.0.0.1:$GPORT" --redis "$REDIS" --problems "$PROBLEMS" >>"$TMP/gw.log" 2>&1 &
    GW_PID=$!
    PIDS+=("$GW_PID")
    for _ in $(seq 100); do curl -fs "$SERVER/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
    fail "gavel-gw did not come up"
}
start_gw
GAVEL_CACHE_DIR="$TMP/cache" "$JUDGE" serve --redis "$REDIS" --problems "$PROBLEMS" --slots 1 \
    --id "submit-test-$$" >"$TMP/worker.log" 2>&1 &
PIDS+=($!)

# run_submit EXPECTED_RC OUT_FILE ARGS...: runs gavel-submit, checks its exit status.
run_submit() {
    local want="$1" out="$2" rc=0
    shift 2
    "$SUBMIT" --server "$SERVER" --timeout 120 "$@" >"$out" 2>&1 || rc=$?
    cat "$out"
    [ "$rc" -eq "$want" ] || fail "gavel-submit $* exited $rc, expected $want"
}

echo "== accepted (C, language guessed from .c)"
run_submit 0 "$TMP/ac.out" hello "$PROBLEMS/hello/submissions/accepted/hello.c"
grep -qE '^verdict: AC  2/2 tests  time [0-9]+ ms  memory [0-9]+ KiB$' "$TMP/ac.out" || fail "no AC line"
grep -q 'language c,' "$TMP/ac.out" || fail "language not guessed as c"
grep -qE '^\[#+\] 2/2 ' "$TMP/ac.out" || fail "no full progress line (plain output, not a tty)"

echo "== wrong answer (Python)"
run_submit 1 "$TMP/wa.out" hello "$PROBLEMS/hello/submissions/wrong_answer/comma.py"
grep -q '^verdict: WA ' "$TMP/wa.out" || fail "no WA line"

echo "== compile error shows the compiler's message"
printf 'int main(void) { return undeclared_name; }\n' >"$TMP/ce.c"
run_submit 1 "$TMP/ce.out" hello "$TMP/ce.c" --language c
grep -q '^verdict: CE ' "$TMP/ce.out" || fail "no CE line"
grep -q 'undeclared_name' "$TMP/ce.out" || fail "compile output not shown"

echo "== API errors"
run_submit 3 "$TMP/404.out" no-such-problem "$TMP/ce.c"
grep -q 'HTTP 404' "$TMP/404.out" || fail "404 not explained"
run_submit 3 "$TMP/422.out" hello "$TMP/ce.c" --language cobol
grep -q 'HTTP 422' "$TMP/422.out" || fail "422 not explained"
python3 -c 'print("/*" + "x" * 70000 + "*/ int main(void) { return 0; }")' >"$TMP/big.c"
run_submit 3 "$TMP/413.out" hello "$TMP/big.c"
grep -q 'HTTP 413' "$TMP/413.out" || fail "413 not explained"
cp "$TMP/ce.c" "$TMP/unknown.xyz"
run_submit 2 "$TMP/ext.out" hello "$TMP/unknown.xyz"
grep -q 'cannot tell the language' "$TMP/ext.out" || fail "unknown extension not explained"

echo "== rate limited (a second gateway allowing one POST per second)"
RLPORT="$(free_port)"
"$GW" --listen "127.0.0.1:$RLPORT" --redis "$REDIS" --problems "$PROBLEMS" --rate 1 --burst 1 \
    >>"$TMP/gw-rate.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$RLPORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
for i in $(seq 10); do # the second POST within a second is refused; ten tries for a slow host
    "$SUBMIT" --server "http://127.0.0.1:$RLPORT" --language c no-such-problem "$TMP/ce.c" \
        >"$TMP/429-$i.out" 2>&1 || true
    grep -q 'HTTP 429' "$TMP/429-$i.out" && break
done
cat "$TMP"/429-*.out
grep -q 'HTTP 429' "$TMP"/429-*.out || fail "no 429 within ten quick POSTs"
grep -q 'try again in [0-9]* s' "$TMP"/429-*.out || fail "429 without the Retry-After hint"

echo "== unreachable gateway"
DEAD="$(free_port)"
rc=0; "$SUBMIT" --server "http://127.0.0.1:$DEAD" hello "$TMP/ce.c" >"$TMP/dead.out" 2>&1 || rc=$?
cat "$TMP/dead.out"
[ "$rc" -eq 4 ] || fail "unreachable gateway exited $rc, expected 4"
grep -q "cannot reach the gateway at http://127.0.0.1:$DEAD" "$TMP/dead.out" || fail "no clear message"

echo "== gateway restarted while following"
# A Python A+B that sleeps a little per test (8 tests) keeps the submission open across the
# restart (sleeping is wall time, far below the wall limit of 3 x 1 s + 1 s per test).
cat >"$TMP/slow.py" <<'PY'
import time
a, b = map(int, input().split())
time.sleep(0.4)
print(a + b)
PY
"$SUBMIT" --server "$SERVER" --timeout 120 ab "$TMP/slow.py" >"$TMP/restart.out" 2>&1 &
SPID=$!
for _ in $(seq 100); do grep -q '^submitted' "$TMP/restart.out" && break; sleep 0.05; done
kill -TERM "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
start_gw
rc=0; wait "$SPID" || rc=$?
cat "$TMP/restart.out"
[ "$rc" -eq 0 ] || fail "follow across a gateway restart exited $rc"
grep -q 'reconnecting' "$TMP/restart.out" || fail "no reconnect seen"
grep -q '^verdict: AC ' "$TMP/restart.out" || fail "no verdict after the restart"
echo "test_submit: all passed"
