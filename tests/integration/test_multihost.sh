#!/usr/bin/env bash
# test_multihost.sh - one machine made into several hosts: Gavel across network namespaces, with
# fault injection in the middle of the run.
#
# Theory of operation. The test makes its own little network: a "switch" namespace with a bridge,
# and one namespace per host, each joined to the bridge by a veth pair, addresses 10.77.0.0/24 that
# exist only inside these namespaces (no route out, nothing in the root namespace changes):
#   redis 10.77.0.1 · gw1 10.77.0.11 · gw2 10.77.0.12 · w1..w4 10.77.0.21-24 · client 10.77.0.100
# Processes enter their host's network namespace with nsenter --net (only the network: `ip netns
# exec` would remount /sys and hide the cgroup controllers the sandbox needs). The worker hosts
# share this machine's file system (problems folder, compile cache: `serve` has no cache option
# yet, see /work/notes/scaleout-to-queue.md), as hosts with a shared mount would. The client
# (tests/bench/e2e/gavelload.py) posts a mix of problems, languages and expected verdicts through
# both gateways, at most WINDOW in flight, and follows each submission over a WebSocket on the
# *other* gateway; it also taps gavel:events on Redis to count the finals each submission
# published. At progress marks it calls this script back (`hook PHASE`): kill -9 worker 1 (its
# jobs come back through the reaper after the heartbeat TTL), stop and restart gateway 2 (its
# WebSockets reconnect and resubscribe; POSTs fail over to gateway 1 meanwhile), start worker 4.
# It passes when every accepted submission got exactly one final on its WebSocket and exactly one
# published on gavel:events, with the expected verdict. Phase times are printed. A trap stops
# every process and deletes every namespace (so the veths and the bridge), also on failure.
#
# Count: MULTIHOST_COUNT (default 300, the issue's size). On the 2-core development machine 300
# submissions took 191 s of client time at load 7; at load 19, 200 took 235 s in all. Lower it
# for a quick run by hand. Needs root, iproute2, nsenter (util-linux), redis-server, python3.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"

# --- the hook: called back by the client with the state in $MH_STATE ---
if [ "${1:-}" = hook ]; then
    # shellcheck source=/dev/null
    . "$MH_STATE/env"
    case "$2" in
    kill-worker)
        pid="$(cat "$MH_STATE/w1.pid")"
        kill -KILL "$pid"
        echo "kill -9 worker w1 (pid $pid); its jobs return after the heartbeat TTL" ;;
    restart-gateway)
        pid="$(cat "$MH_STATE/gw2.pid")"
        kill -TERM "$pid"
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && { echo "gw2 did not stop"; exit 1; }
        echo "gw2 stopped"
        start_gateway gw2 10.77.0.12
        wait_http 10.77.0.12:8080 || { echo "gw2 did not come back"; exit 1; }
        echo "gw2 restarted (pid $(cat "$MH_STATE/gw2.pid"))" ;;
    add-worker)
        start_worker w4
        echo "worker w4 started (pid $(cat "$MH_STATE/w4.pid"))" ;;
    *) echo "unknown phase $2"; exit 1 ;;
    esac
    exit 0
fi

: "${GAVEL_SOURCE_DIR:?set by ctest}" "${GAVEL_BUILD_DIR:?set by ctest}"
[ "$(id -u)" -eq 0 ] || { echo "test_multihost: needs root (network namespaces, sandbox); skipped"; exit 77; }
for c in ip nsenter redis-server python3; do
    command -v "$c" >/dev/null || { echo "test_multihost: $c missing" >&2; exit 1; }
done
COUNT="${MULTIHOST_COUNT:-300}"
WINDOW="${MULTIHOST_WINDOW:-12}"

T_START=$(date +%s%3N)
phase_mark() { # phase_mark NAME: prints how long since the last mark
    local now ms; now=$(date +%s%3N)
    ms=$((now - ${LAST_MARK:-$T_START}))
    printf '[%s] phase %s: %d.%d s\n' "$(date +%H:%M:%S)" "$1" $((ms / 1000)) $((ms % 1000 / 100))
    LAST_MARK=$now
}

RUN="gvmh$$"
STATE="$(mktemp -d /tmp/gavel-multihost-XXXXXX)"
export MH_STATE="$STATE"
HOSTS=(redis gw1 gw2 w1 w2 w3 w4 client)
declare -A ADDR=([redis]=10.77.0.1 [gw1]=10.77.0.11 [gw2]=10.77.0.12 [w1]=10.77.0.21
    [w2]=10.77.0.22 [w3]=10.77.0.23 [w4]=10.77.0.24 [client]=10.77.0.100)

cleanup() {
    local rc=$?
    set +e
    local f pid
    for f in "$STATE"/*.pid; do
        [ -f "$f" ] || continue
        pid="$(cat "$f")"
        kill -TERM "$pid" 2>/dev/null
    done
    sleep 0.5
    for f in "$STATE"/*.pid; do
        [ -f "$f" ] || continue
        kill -KILL "$(cat "$f")" 2>/dev/null
    done
    for h in "${HOSTS[@]}" sw; do ip netns del "$RUN-$h" 2>/dev/null; done
    if [ $rc -ne 0 ]; then
        echo "---- logs (last lines) ----"
        for f in "$STATE"/*.log; do echo "== $f"; tail -n 15 "$f"; done
    fi
    [ -n "${GAVEL_KEEP_TEST_DIR:-}" ] || rm -rf "$STATE"
    ip netns list | grep -q "^$RUN-" && echo "WARNING: namespaces of $RUN left behind"
    phase_mark teardown
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the network ---
ip netns add "$RUN-sw"
ip -n "$RUN-sw" link add br0 type bridge
ip -n "$RUN-sw" link set br0 up
i=0
for h in "${HOSTS[@]}"; do
    i=$((i + 1))
    ip netns add "$RUN-$h"
    ip -n "$RUN-sw" link add "v$i" type veth peer name eth0 netns "$RUN-$h"
    ip -n "$RUN-sw" link set "v$i" master br0 up
    ip -n "$RUN-$h" addr add "${ADDR[$h]}/24" dev eth0
    ip -n "$RUN-$h" link set eth0 up
    ip -n "$RUN-$h" link set lo up
done
on() { local h="$1"; shift; nsenter --net="/run/netns/$RUN-$h" "$@"; }
on client ping -c1 -W2 10.77.0.1 >/dev/null 2>&1 || true # warm the bridge's forwarding table
phase_mark "network (9 namespaces, bridge, 8 veth pairs)"

# --- the hosts' processes (also used by the hook) ---
cat >"$STATE/env" <<ENV
RUN=$RUN
STATE=$STATE
GW_BIN=$GAVEL_BUILD_DIR/frontend-gw/gavel-gw
JUDGE_BIN=$GAVEL_BUILD_DIR/judge/gavel-judge
PROBLEMS=$GAVEL_SOURCE_DIR/problems
on() { local h="\$1"; shift; nsenter --net="/run/netns/\$RUN-\$h" "\$@"; }
# spawn HOST CMD...: runs CMD in HOST's network namespace in the background, its pid (the very
# process: the subshell execs nsenter, which execs CMD) in STATE/HOST.pid, its output in HOST.log
spawn() {
    local h="\$1"; shift
    ( exec nsenter --net="/run/netns/\$RUN-\$h" "\$@" ) >>"\$STATE/\$h.log" 2>&1 </dev/null &
    echo \$! >"\$STATE/\$h.pid"
}
start_gateway() {
    spawn "\$1" "\$GW_BIN" --listen "\$2:8080" --redis redis://10.77.0.1:6379 --problems "\$PROBLEMS" \\
        --rate 10000 --burst 10000
}
start_worker() {
    spawn "\$1" "\$JUDGE_BIN" serve --redis redis://10.77.0.1:6379 \\
        --problems "\$PROBLEMS" --slots 1 --id "\$RUN-\$1" --heartbeat-ttl 3000 --claim-timeout 500
}
wait_http() {
    for _ in \$(seq 300); do
        on client python3 -c "import urllib.request,sys; urllib.request.urlopen('http://\$1/healthz', timeout=2)" \\
            2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
ENV
# shellcheck source=/dev/null
. "$STATE/env"

spawn redis redis-server --bind 10.77.0.1 --port 6379 --save '' --appendonly no --dir "$STATE" \
    --protected-mode no
for _ in $(seq 100); do on client redis-cli -h 10.77.0.1 ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
start_gateway gw1 10.77.0.11
start_gateway gw2 10.77.0.12
for w in w1 w2 w3; do start_worker "$w"; done
wait_http 10.77.0.11:8080 || { echo "gw1 did not come up" >&2; exit 1; }
wait_http 10.77.0.12:8080 || { echo "gw2 did not come up" >&2; exit 1; }
# the test network lives only inside the namespaces: no 10.77.0.x address, no veth of ours in
# the root namespace, and no route out of the hosts' namespaces
if ip -o addr show | grep -q ' 10\.77\.0\.'; then
    echo "a 10.77.0.x address exists in the root namespace: the test network leaks" >&2; exit 1
fi
if [ -n "$(ip -n "$RUN-w1" route show default)" ]; then
    echo "worker host w1 has a default route" >&2; exit 1
fi
phase_mark "hosts up (redis, 2 gateways, 3 workers)"

# --- the mix: fast problems, mostly C and Python; C sources repeat (so C compiles come from the
# compile cache after the first), Python ones are made unique per submission ---
cat >"$STATE/wa.py" <<'PY'
a, b = map(int, input().split())
print(a - b)
PY
cat >"$STATE/ce.c" <<'C'
int main(void) { return missing_name; }
C
cat >"$STATE/mix.json" <<JSON
[
 {"problem":"ab","language":"c","file":"ab/submissions/accepted/scanf.c","expected":"AC","weight":3},
 {"problem":"ab","language":"python3","file":"ab/submissions/accepted/readline.py","expected":"AC","weight":3,"unique":true},
 {"problem":"ab","language":"python3","source":$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$STATE/wa.py"),"expected":"WA","weight":2,"unique":true},
 {"problem":"ab","language":"python3","file":"ab/submissions/run_time_error/exception.py","expected":"RTE","weight":1,"unique":true},
 {"problem":"ab","language":"c","source":$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$STATE/ce.c"),"expected":"CE","weight":1},
 {"problem":"ab","language":"c","file":"ab/submissions/output_limit_exceeded/flood.c","expected":"OLE","weight":1},
 {"problem":"wordcount","language":"c","file":"wordcount/submissions/accepted/count.c","expected":"AC","weight":2},
 {"problem":"wordcount","language":"python3","file":"wordcount/submissions/accepted/split.py","expected":"AC","weight":2,"unique":true},
 {"problem":"wordcount","language":"python3","file":"wordcount/submissions/wrong_answer/split_space.py","expected":"WA","weight":1,"unique":true},
 {"problem":"wordcount","language":"c","file":"wordcount/submissions/wrong_answer/scanf_fgets.c","expected":"WA","weight":1}
]
JSON

echo "[$(date +%H:%M:%S)] client: $COUNT submissions, window $WINDOW"
rc=0
on client python3 "$GAVEL_SOURCE_DIR/tests/bench/e2e/gavelload.py" multihost \
    --gw 10.77.0.11:8080 --gw 10.77.0.12:8080 --redis 10.77.0.1:6379 \
    --mix "$STATE/mix.json" --problems "$GAVEL_SOURCE_DIR/problems" --count "$COUNT" \
    --window "$WINDOW" --timeout 600 --hook "$SELF hook" \
    --phase 0.25:kill-worker --phase 0.45:restart-gateway --phase 0.65:add-worker || rc=$?
phase_mark "client run"
# every worker but the killed one must still be alive, and the killed one must be gone
for w in w2 w3 w4; do
    kill -0 "$(cat "$STATE/$w.pid")" 2>/dev/null && continue
    echo "worker $w died" >&2; tail -n 20 "$STATE/$w.log" >&2; rc=1
done
kill -0 "$(cat "$STATE/w1.pid")" 2>/dev/null && { echo "w1 still alive after kill -9" >&2; rc=1; }
rm -f "$STATE/w1.pid"
[ $rc -eq 0 ] && echo "test_multihost: passed" || echo "test_multihost: FAILED" >&2
exit $rc
