#!/usr/bin/env bash
# run.sh - what one sandboxed run costs, in one go (called by `./gavel bench`, GAVEL_BUILD set to
# a Release build folder): median and p90 over N runs (default 500) of a trivial static program
#   floor  fork + execve + wait4, no sandbox
#   lib    sbx_run() in a pooled box (the judge's path), sbx_box_prestart after each run and 2 ms
#          of untimed idle time, as a judge has while it checks the output
#   lib_busy  runs back to back: no idle time, no sbx_box_prestart
#   cli    gavel-sandbox --dir DIR:/bench -- /bench/trivial (a whole process per run: the front,
#          sandbox/cli_front.c, which hands what it cannot do to gavel-sandbox-core), served:
#          the steady state of repeated commands, whose programs run in the boxes of the sandbox
#          server the first command started (sandbox/cli_server.c), whose boxes' inits stay
#          for the next commands
#   cli_here  the same with GAVEL_SANDBOX_SERVER=0: each command makes its own pool of one box,
#          reusing what earlier commands kept (namespaces, cgroups, the seccomp cache)
#   cli_cold  the same, each run after `gavel-sandbox --cleanup` (untimed): no server, nothing
#          kept, no cached seccomp program (N/5 runs)
#   bwrap  bubblewrap with a judge-like command line (--unshare-all, ro-binds, --proc, --dev, --tmpfs)
#   iso_model  a run shaped like isolate's documented design (isolate_model.c: keeper, new ipc,
#          net, mount and pid namespaces, proxy, binds, chroot, cgroup v1): not isolate, which
#          Debian 12 does not package, but a lower bound of its run's work on this machine
# and, to read the rest by, the floor run twice at once (one per CPU): whether process creation
# on this machine overlaps across CPUs at all (on some VMs it does not, and then work taken off
# a run's critical path into another process saves nothing).
# and prints a table with the ratios to the floor, and the machine it ran on. Besides wall times
# it shows the CPU time each run costs (the whole machine's: sbx_bench.c says why), which a busy
# host distorts much less than wall times. Needs root; run it on an otherwise idle machine.
set -euo pipefail

BUILD="${GAVEL_BUILD:?set GAVEL_BUILD to a Release build folder}"
N="${SBX_BENCH_RUNS:-500}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH="$BUILD/sandbox/sbx-bench"
CLI="$(realpath "$BUILD/sandbox/gavel-sandbox")"
[ -x "$BENCH" ] && [ -x "$CLI" ] || { echo "run.sh: build $BUILD first (sbx-bench, gavel-sandbox)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (namespaces, cgroups)" >&2; exit 1; }

tmp="$(mktemp -d /tmp/gavel-sbx-bench-XXXXXX)"
# The groups isolate-model makes below this process's own v1 groups go when the bench ends.
iso_groups() {
    local c d
    for c in memory pids cpuacct; do
        d="$(awk -F: -v c="$c" '$2 == c { print $3 }' /proc/self/cgroup)"
        [ -n "$d" ] && echo "/sys/fs/cgroup/$c${d%/}/gavel-isomodel"
    done
}
trap 'rm -rf "$tmp"; for g in $(iso_groups); do rmdir "$g" 2>/dev/null || true; done' EXIT
chmod 755 "$tmp"
cc -O2 -static -o "$tmp/trivial" "$HERE/trivial.c"
cc -O2 -o "$tmp/isolate-model" "$HERE/isolate_model.c" # dynamically linked, as isolate is
mkdir -p "$tmp/iso/root" "$tmp/iso/box"
cp "$tmp/trivial" "$tmp/iso/box/"
chmod -R 755 "$tmp/iso"

declare -A med p90 cpu
measure() { # name, command...
    local name="$1"
    shift
    read -r med[$name] p90[$name] cpu[$name] < <("$@")
}

measure floor "$BENCH" floor "$N" "$tmp/trivial"
"$BENCH" floor "$N" "$tmp/trivial" >"$tmp/floor2" &
measure floor_x2 "$BENCH" floor "$N" "$tmp/trivial"
wait
measure lib "$BENCH" lib "$N" "$tmp/trivial"
measure lib_busy "$BENCH" lib_busy "$N" "$tmp/trivial"
# The served path: the first command starts the server; wait until it listens.
"$CLI" --cleanup
"$CLI" -- /bin/true >/dev/null
for _ in $(seq 100); do compgen -G "/run/gavel/sandbox/cli-*.sock" >/dev/null && break; sleep 0.05; done
measure cli "$BENCH" cmd "$N" "$CLI" --dir "$tmp:/bench" -- /bench/trivial
# The served command against the isolate-shaped run, in alternating rounds: the host's load
# drifts within a bench by more than the difference looked for.
ROUNDS=5
per_round=$(( N / ROUNDS > 0 ? N / ROUNDS : 1 ))
iso_ratios=()
for _ in $(seq "$ROUNDS"); do
    c="$("$BENCH" cmd "$per_round" "$CLI" --dir "$tmp:/bench" -- /bench/trivial | cut -d' ' -f1)"
    i="$("$BENCH" cmd "$per_round" "$tmp/isolate-model" "$tmp/iso" /box/trivial | cut -d' ' -f1)"
    iso_ratios+=("$(awk -v a="$c" -v b="$i" 'BEGIN { printf "%.2f", a / b }')")
done
export GAVEL_SANDBOX_SERVER=0
measure cli_here "$BENCH" cmd "$N" "$CLI" --dir "$tmp:/bench" -- /bench/trivial
measure cli_cold "$BENCH" cold "$(( N / 5 > 0 ? N / 5 : 1 ))" "$CLI" --dir "$tmp:/bench" -- /bench/trivial
unset GAVEL_SANDBOX_SERVER
"$CLI" --cleanup
if command -v bwrap >/dev/null; then
    bw=(bwrap --unshare-all --die-with-parent --new-session --ro-bind /usr /usr --ro-bind /etc /etc)
    for l in bin sbin lib lib64; do
        if [ -L "/$l" ]; then bw+=(--symlink "$(readlink "/$l")" "/$l"); elif [ -d "/$l" ]; then bw+=(--ro-bind "/$l" "/$l"); fi
    done
    bw+=(--proc /proc --dev /dev --tmpfs /tmp --ro-bind "$tmp" /box --chdir /box -- /box/trivial)
    measure bwrap "$BENCH" cmd "$N" "$(command -v bwrap)" "${bw[@]:1}"
fi
measure iso_model "$BENCH" cmd "$N" "$tmp/isolate-model" "$tmp/iso" /box/trivial

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "runs per path: $N (trivial static program)"
printf '%-8s %10s %10s %9s %10s %9s\n' path median_us p90_us vs_floor cpu_us vs_floor
for k in floor lib lib_busy cli cli_here cli_cold bwrap iso_model; do
    [ -n "${med[$k]:-}" ] || { printf '%-8s %10s\n' "$k" "n/a"; continue; }
    printf '%-8s %10s %10s %9s %10s %9s\n' "$k" "${med[$k]}" "${p90[$k]}" \
        "$(ratio "${med[$k]}" "${med[floor]}")" "${cpu[$k]}" "$(ratio "${cpu[$k]}" "${cpu[floor]}")"
done
echo "cpu_us: the whole machine's busy CPU time per run (/proc/stat), the server's and kernel workers' included"
echo "floor, two at once (one per CPU): $(ratio "${med[floor_x2]}" "${med[floor]}") of the floor alone ($(awk '{ print $1 }' "$tmp/floor2") and ${med[floor_x2]} us)"
if [ -n "${med[bwrap]:-}" ]; then
    echo "cli / bwrap: $(ratio "${med[cli]}" "${med[bwrap]}") (served), $(ratio "${med[cli_here]}" "${med[bwrap]}") (no server, warm), $(ratio "${med[cli_cold]}" "${med[bwrap]}") (cold); CPU $(ratio "${cpu[cli]}" "${cpu[bwrap]}") (served)"
fi
echo "cli / iso_model: $(ratio "${med[cli]}" "${med[iso_model]}") (served), $(ratio "${med[cli_here]}" "${med[iso_model]}") (no server, warm); iso_model is $(ratio "${med[iso_model]}" "${med[floor]}") of the floor (isolate on the issue's machine: 5.1x)"
echo "cli / iso_model in $ROUNDS alternating rounds of $per_round runs: ${iso_ratios[*]} (median $(printf '%s\n' "${iso_ratios[@]}" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")x)"
