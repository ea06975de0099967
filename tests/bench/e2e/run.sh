#!/usr/bin/env bash
# run.sh - the end-to-end benchmark: HTTP -> Redis -> workers -> pub/sub -> WebSocket, for 1, 2 and
# 4 worker processes, next to the sandbox floor, written to docs/bench/ (table, SVG plot, JSON).
#
# Theory of operation. A private redis-server and one gavel-gw on loopback ports picked free (rate
# limits lifted), the Release binaries from $GAVEL_BUILD (./gavel bench sets it). For each worker
# count W: start W `gavel-judge serve --slots 1` processes, wait for their heartbeats, then
# gavelload.py posts BENCH_N submissions at once (maxsub, 10 small tests; C and Python alternating,
# each source made unique so every one is really compiled) and follows them over one WebSocket.
# From the finals: submissions/s and tests/s over the wall time from the first POST to the last
# final, latency POST -> final (p50, p99), and the stages from each result's timings (queue wait,
# compile, run) plus publish (final event received minus the submission's `finished` time). Then
# the floor: the same binaries (gcc -O2 build of the C file, python3 -S on the Python one) on the same tests
# with plain fork + exec, W at a time, the same count. The machine (nproc, CPU, kernel, load before
# and after) is written next to the numbers, since the machine may be shared.
#
#   GAVEL_BUILD=build tests/bench/e2e/run.sh     BENCH_N (40), BENCH_WORKERS ("1 2 4"),
#                                                BENCH_OUT (docs/bench), needs root (sandbox)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
BUILD="${GAVEL_BUILD:-$ROOT/build}"
N="${BENCH_N:-40}"
WORKERS="${BENCH_WORKERS:-1 2 4}"
OUT="${BENCH_OUT:-$ROOT/docs/bench}"
PROBLEM=maxsub
GW="$BUILD/frontend-gw/gavel-gw"
JUDGE="$BUILD/judge/gavel-judge"
LOAD="$HERE/gavelload.py"
for f in "$GW" "$JUDGE"; do [ -x "$f" ] || { echo "run.sh: $f missing (./gavel build)" >&2; exit 1; }; done
[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root (the sandbox)" >&2; exit 1; }
command -v gnuplot >/dev/null || { echo "run.sh: gnuplot missing (Debian gnuplot-nox)" >&2; exit 1; }

TMP="$(mktemp -d /tmp/gavel-bench-e2e-XXXXXX)"
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    sleep 0.5
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT
say() { printf '[%s] e2e: %s\n' "$(date +%H:%M:%S)" "$*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

machine() {
    local load_before="$1"
    printf '{"nproc":%s,"cpu":"%s","kernel":"%s","load_before":"%s","load_after":"%s","date":"%s"}\n' \
        "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//; s/"//g')" \
        "$(uname -r)" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(date -u +%Y-%m-%dT%H:%MZ)"
}
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

RPORT="$(free_port)"; GPORT="$(free_port)"
REDIS="redis://127.0.0.1:$RPORT"
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >"$TMP/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
"$GW" --listen "127.0.0.1:$GPORT" --redis "$REDIS" --problems "$ROOT/problems" --rate 100000 \
    --burst 100000 >"$TMP/gw.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$GPORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

SUBS="$ROOT/problems/$PROBLEM/submissions/accepted"
cat >"$TMP/mix.json" <<JSON
[{"problem":"$PROBLEM","language":"c","file":"$PROBLEM/submissions/accepted/kadane.c","expected":"AC","unique":true},
 {"problem":"$PROBLEM","language":"python3","file":"$PROBLEM/submissions/accepted/kadane.py","expected":"AC","unique":true}]
JSON
gcc -std=gnu17 -O2 -pipe -static -o "$TMP/kadane" "$SUBS/kadane.c" -lm

for W in $WORKERS; do
    redis-cli -p "$RPORT" flushall >/dev/null
    WPIDS=()
    for i in $(seq "$W"); do
        "$JUDGE" serve --redis "$REDIS" --problems "$ROOT/problems" --slots 1 --id "bench-$W-$i" \
            >>"$TMP/worker-$W-$i.log" 2>&1 &
        WPIDS+=($!)
        PIDS+=($!)
    done
    for _ in $(seq 100); do
        [ "$(redis-cli -p "$RPORT" --scan --pattern 'gavel:worker:*' | wc -l)" -ge "$W" ] && break
        sleep 0.1
    done
    say "$W worker(s): $N submissions"
    python3 "$LOAD" bench --gw "127.0.0.1:$GPORT" --mix "$TMP/mix.json" --problems "$ROOT/problems" \
        --count "$N" --timeout 1800 >"$TMP/pipe-$W.json"
    cat "$TMP/pipe-$W.json"
    for p in "${WPIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${WPIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    say "$W process(es): floor (fork + exec), same count"
    python3 "$LOAD" floor --problem "$ROOT/problems/$PROBLEM" --cmd "$TMP/kadane" \
        --cmd "/usr/bin/python3 -S $SUBS/kadane.py" --count "$N" --procs "$W" >"$TMP/floor-$W.json"
    cat "$TMP/floor-$W.json"
done

mkdir -p "$OUT"
machine "$LOAD_BEFORE" >"$TMP/machine.json"
python3 - "$TMP" "$OUT" "$N" "$WORKERS" <<'PY'
import json, sys
tmp, out, n, workers = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split()
m = json.load(open(f"{tmp}/machine.json"))
rows = []
for w in workers:
    p = json.load(open(f"{tmp}/pipe-{w}.json"))
    f = json.load(open(f"{tmp}/floor-{w}.json"))
    ms_test = int(w) * 1000.0 / p["tests_per_s"] if p["tests_per_s"] else 0
    rows.append({"workers": int(w), "pipeline": p, "floor": f, "pipeline_ms_per_test": ms_test})
json.dump({"machine": m, "count": n, "rows": rows}, open(f"{out}/e2e.json", "w"), indent=1)
st = lambda r, k: r["pipeline"]["stages_ms"][k]
with open(f"{out}/e2e.md", "w") as o:
    o.write("# End-to-end benchmark (tests/bench/e2e/run.sh)\n\n")
    o.write(f"{n} submissions per row (problem maxsub, 10 tests each; C and Python alternating, every "
            "source unique so every one is compiled), posted at once to one gateway, followed over "
            "one WebSocket; workers are `gavel-judge serve --slots 1` processes.\n\n")
    o.write(f"Machine: {m['nproc']} cores, {m['cpu']}, kernel {m['kernel']}; load average "
            f"{m['load_before']} before, {m['load_after']} after; {m['date']}.\n\n")
    o.write("| workers | subs/s | tests/s | latency p50 / p99 (ms) | queue p50 | compile p50 | run p50 "
            "| publish p50 | floor tests/s | floor ms/test | pipeline ms/test |\n")
    o.write("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    for r in rows:
        p, f = r["pipeline"], r["floor"]
        o.write(f"| {r['workers']} | {p['subs_per_s']:.2f} | {p['tests_per_s']:.1f} | "
                f"{p['latency_ms']['p50']:.0f} / {p['latency_ms']['p99']:.0f} | "
                f"{st(r,'queue')['p50']:.0f} | {st(r,'compile')['p50']:.0f} | {st(r,'run')['p50']:.0f} | "
                f"{st(r,'publish')['p50']:.0f} | {f['tests_per_s']:.1f} | {f['ms_per_test']:.1f} | "
                f"{r['pipeline_ms_per_test']:.1f} |\n")
    o.write("\nStages are from each final's `timings` (queue wait, compile, run) and the client's clock "
            "(publish: the final received on the WebSocket minus the submission's `finished` time written by "
            "the worker: Redis, pub/sub, the gateway and the WebSocket). Floor: the same C binary (gcc -O2 -static) "
            "and `python3 -S` script on the same tests with plain fork + exec, as many at once as "
            "workers, same count. Pipeline ms/test = workers / tests per second: the cost of one test "
            "including compile, sandbox and every hop; the floor's ms/test is the same measure without "
            "any of them.\n\n![plot](e2e.svg)\n")
with open(f"{tmp}/plot.dat", "w") as d:
    for r in rows:
        d.write(f"{r['workers']} {r['pipeline']['tests_per_s']:.2f} {r['floor']['tests_per_s']:.2f} "
                f"{st(r,'queue')['p50']:.1f} {st(r,'compile')['p50']:.1f} {st(r,'run')['p50']:.1f} "
                f"{st(r,'publish')['p50']:.1f}\n")
PY
gnuplot <<GP
set terminal svg size 960,420 dynamic font "DejaVu Sans,12"
set output "$OUT/e2e.svg"
set multiplot layout 1,2 title "Gavel end to end: $(nproc) cores, $(uname -r), load $LOAD_BEFORE before the run"
set xlabel "worker processes"
set ylabel "tests per second"
set logscale y
set key below horizontal
set xtics ($(echo "$WORKERS" | sed 's/ /, /g'))
plot "$TMP/plot.dat" using 1:2 with linespoints lw 2 pt 7 title "pipeline", \
     "" using 1:3 with linespoints lw 2 pt 5 title "floor (fork + exec)"
unset logscale y
set ylabel "ms per submission (p50; queue wait in the table)"
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.6
set key below horizontal
set yrange [0:*]
set xtics auto
plot "$TMP/plot.dat" using 5:xtic(1) title "compile", "" using 6 title "run", \
     "" using 7 title "publish"
unset multiplot
GP
say "wrote $OUT/e2e.md, $OUT/e2e.svg, $OUT/e2e.json"
cat "$OUT/e2e.md"
