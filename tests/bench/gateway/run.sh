#!/usr/bin/env bash
# run.sh - the gateway's benchmarks (called by `./gavel bench` with GAVEL_BUILD set to a Release
# build folder). Each number is printed next to a baseline measured in the same run:
#   1. POST /api/submissions accepted per second (wrk, 2 threads, 64 connections, 10 s) next to
#      redis-benchmark LPUSH at the same concurrency (64 clients): the storage path's own limit.
#   2. WebSocket fan-out, one event published, many subscribers (gw-fanout-bench: 2000 clients,
#      200 events): delivered messages per second and p50/p99 latency, gavel-gw (events through
#      Redis, as workers publish them) next to the reference Node.js `ws` broadcast server
#      (http server + ws WebSocketServer, every message sent to every open client).
#   3. Memory per idle WebSocket connection at 10,000 connections: server RSS growth / 10,000,
#      gavel-gw next to the same Node.js server.
# Settings can be changed with BENCH_* variables (see below). Everything runs on 127.0.0.1.
set -euo pipefail

BUILD="${GAVEL_BUILD:?set GAVEL_BUILD to a Release build folder}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
GW="$BUILD/frontend-gw/gavel-gw"
LOADGEN="$BUILD/frontend-gw/gw-fanout-bench"
WRK_CONNS="${BENCH_WRK_CONNS:-64}"
WRK_SECS="${BENCH_WRK_SECS:-10}"
FAN_CLIENTS="${BENCH_FAN_CLIENTS:-2000}"
FAN_EVENTS="${BENCH_FAN_EVENTS:-200}"
IDLE_CONNS="${BENCH_IDLE_CONNS:-10000}"

for tool in "$GW" "$LOADGEN"; do
    [ -x "$tool" ] || { echo "run.sh: build $BUILD first (missing $tool)" >&2; exit 1; }
done
for tool in wrk redis-server redis-benchmark redis-cli node npm curl; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is needed" >&2; exit 1; }
done

# 10,000 connections need as many descriptors on each side.
ulimit -Hn 65536 2>/dev/null || true
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

tmp="$(mktemp -d /tmp/gavel-gw-bench-XXXXXX)"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 20000))
        ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return; }
    done
}

wait_http() { # url
    for _ in $(seq 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "run.sh: $1 did not come up" >&2
    exit 1
}

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

start_gateway() { # -> sets GW_PID, GW_PORT
    GW_PORT="$(free_port)"
    "$GW" --listen "127.0.0.1:$GW_PORT" --redis "redis://127.0.0.1:$REDIS_PORT" \
        --problems "$ROOT/problems" --rate 1000000000 --burst 1000000000 \
        --queue-max 1000000000 --max-conns 60000 >"$tmp/gw.log" 2>&1 &
    GW_PID=$!
    pids+=("$GW_PID")
    wait_http "http://127.0.0.1:$GW_PORT/healthz"
}

start_node() { # -> sets NODE_PID, NODE_PORT
    NODE_PORT="$(free_port)"
    node "$HERE/ws_server.js" "$NODE_PORT" >"$tmp/node.log" 2>&1 &
    NODE_PID=$!
    pids+=("$NODE_PID")
    for _ in $(seq 100); do grep -q "on $NODE_PORT" "$tmp/node.log" && break; sleep 0.1; done
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# The baseline server's code, from the committed lock file.
if [ ! -d "$HERE/node_modules/ws" ]; then
    (cd "$HERE" && npm ci --no-audit --no-fund --silent)
fi

REDIS_PORT="$(free_port)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$tmp" --daemonize no >"$tmp/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done

echo "gateway benchmarks on $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
echo

# 1. POST /api/submissions vs LPUSH.
start_gateway
wrk -t2 -c"$WRK_CONNS" -d"${WRK_SECS}s" -s "$HERE/post.lua" \
    "http://127.0.0.1:$GW_PORT/api/submissions" >"$tmp/wrk.txt"
post_rps="$(awk '/^Requests\/sec/ {print $2}' "$tmp/wrk.txt")"
post_non2xx="$(awk '/Non-2xx/ {print $5}' "$tmp/wrk.txt")"
post_p99="$(awk '/Latency/ {print $2; exit}' "$tmp/wrk.txt")"
lpush_rps="$(redis-benchmark -p "$REDIS_PORT" -c "$WRK_CONNS" -n 200000 -t lpush -q \
    | tr '\r' '\n' | awk '/^LPUSH: [0-9]/ {print $2}')"
redis-cli -p "$REDIS_PORT" flushall >/dev/null
printf '%-44s %14s %14s\n' "POST /api/submissions (wrk -t2 -c$WRK_CONNS)" "gavel-gw" "LPUSH baseline"
printf '%-44s %14s %14s\n' "  requests/s" "$post_rps" "$lpush_rps"
printf '%-44s %14s\n' "  mean latency" "$post_p99"
printf '%-44s %14s\n' "  non-202 answers" "${post_non2xx:-0}"
echo

# 2. Fan-out.
read -r g_mps g_p50 g_p99 g_ms < <("$LOADGEN" gavel "$GW_PORT" "$FAN_CLIENTS" "$FAN_EVENTS" \
    "redis://127.0.0.1:$REDIS_PORT")
stop "$GW_PID"
start_node
read -r n_mps n_p50 n_p99 n_ms < <("$LOADGEN" ws "$NODE_PORT" "$FAN_CLIENTS" "$FAN_EVENTS")
stop "$NODE_PID"
printf '%-44s %14s %14s\n' "Fan-out ($FAN_CLIENTS subscribers x $FAN_EVENTS events)" "gavel-gw" "node ws"
printf '%-44s %14s %14s\n' "  delivered messages/s" "$g_mps" "$n_mps"
printf '%-44s %14s %14s\n' "  p50 latency ms" "$g_p50" "$n_p50"
printf '%-44s %14s %14s\n' "  p99 latency ms" "$g_p99" "$n_p99"
awk -v g="$g_mps" -v n="$n_mps" 'BEGIN { if (n > 0) printf "  gavel-gw / ws throughput: %.2fx (target >= 2x)\n", g / n }'
echo

# 3. Idle memory per connection.
idle_kib() { # pid port -> KiB per connection
    local pid="$1" port="$2" before after
    sleep 1
    before="$(rss_kib "$pid")"
    "$LOADGEN" idle "$port" "$IDLE_CONNS" 30 >"$tmp/idle.out" &
    local lg=$!
    for _ in $(seq 600); do grep -q ready "$tmp/idle.out" 2>/dev/null && break; sleep 0.1; done
    sleep 2
    after="$(rss_kib "$pid")"
    kill "$lg" 2>/dev/null || true
    wait "$lg" 2>/dev/null || true
    awk -v b="$before" -v a="$after" -v n="$IDLE_CONNS" 'BEGIN { printf "%.2f", (a - b) / n }'
}
start_gateway
g_idle="$(idle_kib "$GW_PID" "$GW_PORT")"
stop "$GW_PID"
start_node
n_idle="$(idle_kib "$NODE_PID" "$NODE_PORT")"
stop "$NODE_PID"
printf '%-44s %14s %14s\n' "Idle WebSocket memory ($IDLE_CONNS connections)" "gavel-gw" "node ws"
printf '%-44s %14s %14s\n' "  RSS KiB per connection" "$g_idle" "$n_idle"
awk -v g="$g_idle" -v n="$n_idle" 'BEGIN { if (g > 0) printf "  ws / gavel-gw memory: %.2fx (target > 4x)\n", n / g }'
