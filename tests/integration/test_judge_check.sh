#!/usr/bin/env bash
# test_judge_check.sh - `gavel-judge check` end to end, through the real sandbox.
#
# Builds four small packages in a temp folder (pass-fail with default validation, a custom
# validator with many right answers, an interactive guessing game, a scoring problem with three
# groups) and judges sources whose verdict is known: AC, WA, TLE, RTE, CE, MLE, OLE, a compiler
# that eats memory, a validator that breaks (JE: our side, never the user's), and the compile cache.
set -euo pipefail

JUDGE="${GAVEL_BUILD_DIR:?}/judge/gavel-judge"
CACHE="${GAVEL_BUILD_DIR}/judge-test-cache"
T="$(mktemp -d /tmp/gv-judge-check-XXXXXX)"
trap 'rm -rf "$T"' EXIT
fails=0

# check PKG SOURCE EXPECTED [extra args]: runs check --json, compares the verdict.
check() {
    local pkg="$1" src="$2" want="$3"
    shift 3
    local out t0=$SECONDS
    out="$("$JUDGE" check "$T/$pkg" "$T/src/$src" --json --cache "$CACHE" "$@" 2>"$T/stderr")" || true
    local got
    got="$(python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["verdict"])' <<<"$out" 2>/dev/null || echo "no-json")"
    if [[ "$got" == "$want" ]]; then
        echo "ok   $pkg $src: $got ($((SECONDS - t0)) s)"
    else
        echo "FAIL $pkg $src: expected $want, got $got"
        echo "     $out"
        sed 's/^/     /' "$T/stderr" | tail -5
        fails=$((fails + 1))
    fi
    LAST="$out"
}

field() { python3 -c "import json,sys; d=json.loads(sys.stdin.read()); print($1)" <<<"$LAST"; }

mkdir -p "$T/src"

# --- sum: pass-fail, default validator, small memory and output limits -------------------------
mkdir -p "$T/sum/data/sample" "$T/sum/data/secret"
cat > "$T/sum/problem.yaml" <<'EOF'
name: Sum
limits:
  memory: 256
  output: 1
EOF
echo 2 > "$T/sum/.timelimit"
printf '1 2\n' > "$T/sum/data/sample/1.in"; printf '3\n' > "$T/sum/data/sample/1.ans"
printf '40 2\n' > "$T/sum/data/secret/1.in"; printf '42\n' > "$T/sum/data/secret/1.ans"
printf -- '-5 5\n' > "$T/sum/data/secret/2.in"; printf '0\n' > "$T/sum/data/secret/2.ans"

cat > "$T/src/ac.c" <<'EOF'
#include <stdio.h>
int main(void) { long a, b; if (scanf("%ld %ld", &a, &b) != 2) return 1; printf("%ld\n", a + b); return 0; }
EOF
cat > "$T/src/wa.c" <<'EOF'
#include <stdio.h>
int main(void) { long a, b; if (scanf("%ld %ld", &a, &b) != 2) return 1; printf("%ld\n", a - b); return 0; }
EOF
cat > "$T/src/tle.c" <<'EOF'
int main(void) { volatile unsigned long x = 0; for (;;) x++; }
EOF
cat > "$T/src/rte.c" <<'EOF'
#include <stdlib.h>
int main(void) { abort(); }
EOF
cat > "$T/src/ce.c" <<'EOF'
int main(void) { return missing_variable }
EOF
cat > "$T/src/mle.c" <<'EOF'
#include <stdlib.h>
#include <string.h>
int main(void) { for (int i = 0; i < 128; i++) { char *p = malloc(8 << 20); if (!p) return 3; memset(p, 1, 8 << 20); } return 0; }
EOF
cat > "$T/src/ole.c" <<'EOF'
#include <stdio.h>
int main(void) { for (;;) fputs("flood flood flood flood flood flood flood flood\n", stdout); }
EOF
cat > "$T/src/ac.py" <<'EOF'
a, b = map(int, input().split())
print(a + b)
EOF
cat > "$T/src/Adder.java" <<'EOF'
import java.util.Scanner;
public class Adder {
    public static void main(String[] args) {
        Scanner s = new Scanner(System.in);
        System.out.println(s.nextLong() + s.nextLong());
    }
}
EOF
# A compiler that eats memory: a huge constant array initialiser built by the preprocessor.
{
  echo '#define A(x) x,x,x,x,x,x,x,x,x,x'
  echo '#define B(x) A(A(A(A(A(A(x))))))'
  echo 'int t[] = { B(B(1)) };'
  echo 'int main(void) { return t[0] - 1; }'
} > "$T/src/cc_bomb.c"

check sum ac.c AC
check sum wa.c WA
[[ "$(field 'len(d["tests"])')" == 1 ]] || { echo "FAIL: WA must stop at the first failed test"; fails=$((fails + 1)); }
check sum tle.c TLE
check sum rte.c RTE
check sum ce.c CE
[[ "$(field '"missing_variable" in d["compile_output"]')" == True ]] ||
    { echo "FAIL: compile_output lacks the compiler's message"; fails=$((fails + 1)); }
# memory: its own package with a roomy time limit, because reclaim under a memory cap burns CPU
# time before the OOM kill and a loaded host must not turn that into TLE
mkdir -p "$T/mem/data/secret"
printf 'name: Memory\nlimits:\n  memory: 64\n' > "$T/mem/problem.yaml"
echo 5 > "$T/mem/.timelimit"
cp "$T/sum/data/secret/1.in" "$T/sum/data/secret/1.ans" "$T/mem/data/secret/"
check mem mle.c MLE
check sum ole.c OLE
check sum ac.py AC
check sum Adder.java AC
check sum cc_bomb.c CE
# the compile cache: the same source again is not compiled again
"$JUDGE" check "$T/sum" "$T/src/ac.c" --cache "$CACHE" >/dev/null 2>"$T/stderr"
if grep -q "from the cache" "$T/stderr"; then echo "ok   compile cache hit"; else
    echo "FAIL: second check of ac.c was compiled again"; cat "$T/stderr"; fails=$((fails + 1)); fi
check sum ac.c AC
[[ "$(field 'd["total_tests"] == 3 and d["tests"][0]["group"] == "sample" and d["timings"]["total_ms"] >= 0')" == True ]] ||
    { echo "FAIL: result JSON shape"; fails=$((fails + 1)); }

# --- anyorder: custom validator, many right answers ------------------------------------------
mkdir -p "$T/anyorder/data/sample" "$T/anyorder/data/secret" "$T/anyorder/output_validators/perm"
printf 'name: Any Order\nvalidation: custom\n' > "$T/anyorder/problem.yaml"
echo 1 > "$T/anyorder/.timelimit"
printf '3\n3 1 2\n' > "$T/anyorder/data/sample/1.in"; printf '1 2 3\n' > "$T/anyorder/data/sample/1.ans"
printf '4\n9 9 1 5\n' > "$T/anyorder/data/secret/1.in"; printf '1 5 9 9\n' > "$T/anyorder/data/secret/1.ans"
cat > "$T/anyorder/output_validators/perm/perm.c" <<'EOF'
/* Accepts any non-decreasing order of the input's numbers. argv: input answer feedback_dir */
#include <stdio.h>
#include <stdlib.h>
static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
int main(int argc, char **argv) {
    if (argc < 4) return 1;
    FILE *in = fopen(argv[1], "r");
    char path[512];
    snprintf(path, sizeof path, "%s/judgemessage.txt", argv[3]);
    FILE *msg = fopen(path, "w");
    int n, a[100], b[100];
    if (!in || !msg || fscanf(in, "%d", &n) != 1) return 1;
    for (int i = 0; i < n; i++) if (fscanf(in, "%d", &a[i]) != 1) return 1;
    qsort(a, n, sizeof a[0], cmp);
    for (int i = 0; i < n; i++) {
        if (scanf("%d", &b[i]) != 1) { fprintf(msg, "too few numbers\n"); return 43; }
        if (b[i] != a[i]) { fprintf(msg, "position %d: %d is wrong\n", i + 1, b[i]); return 43; }
    }
    int extra;
    if (scanf("%d", &extra) == 1) { fprintf(msg, "too many numbers\n"); return 43; }
    return 42;
}
EOF
cat > "$T/src/sort.py" <<'EOF'
input()
print(*sorted(map(int, input().split())))
EOF
cat > "$T/src/nosort.py" <<'EOF'
input()
print(input())
EOF
check anyorder sort.py AC
check anyorder nosort.py WA

# a broken validator (exits 0: neither 42 nor 43) is a judge error, never the user's fault
mkdir -p "$T/broken/data/sample" "$T/broken/data/secret" "$T/broken/output_validators/v"
cp "$T/anyorder/problem.yaml" "$T/anyorder/.timelimit" "$T/broken/"
cp "$T/anyorder/data/sample/"* "$T/broken/data/sample/"; cp "$T/anyorder/data/secret/"* "$T/broken/data/secret/"
printf 'int main(void) { return 0; }\n' > "$T/broken/output_validators/v/v.c"
check broken sort.py JE

# --- guess: interactive --------------------------------------------------------------------------
mkdir -p "$T/guess/data/sample" "$T/guess/data/secret" "$T/guess/output_validators/interactor"
printf 'name: Guess\nvalidation: custom interactive\n' > "$T/guess/problem.yaml"
echo 1 > "$T/guess/.timelimit"
printf '17\n' > "$T/guess/data/sample/1.in"; : > "$T/guess/data/sample/1.ans"
printf '999\n' > "$T/guess/data/secret/1.in"; : > "$T/guess/data/secret/1.ans"
cat > "$T/guess/output_validators/interactor/interactor.c" <<'EOF'
/* Secret number in 1..1000 from the input file; answers "lower" / "higher" / "correct"; 10 tries. */
#include <stdio.h>
int main(int argc, char **argv) {
    FILE *in = argc > 1 ? fopen(argv[1], "r") : NULL;
    int secret, guess;
    if (!in || fscanf(in, "%d", &secret) != 1) return 1;
    for (int tries = 0; tries < 10; tries++) {
        if (scanf("%d", &guess) != 1) return 43;
        if (guess == secret) { printf("correct\n"); fflush(stdout); return 42; }
        printf(guess > secret ? "lower\n" : "higher\n");
        fflush(stdout);
    }
    return 43;
}
EOF
cat > "$T/src/bisect.c" <<'EOF'
#include <stdio.h>
#include <string.h>
int main(void) {
    int lo = 1, hi = 1000; char reply[32];
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        printf("%d\n", mid); fflush(stdout);
        if (scanf("%31s", reply) != 1 || strcmp(reply, "correct") == 0) return 0;
        if (strcmp(reply, "lower") == 0) hi = mid - 1; else lo = mid + 1;
    }
    return 0;
}
EOF
cat > "$T/src/linear.c" <<'EOF'
#include <stdio.h>
#include <string.h>
int main(void) {
    char reply[32];
    for (int g = 1; g <= 1000; g++) {
        printf("%d\n", g); fflush(stdout);
        if (scanf("%31s", reply) != 1 || strcmp(reply, "correct") == 0) return 0;
    }
    return 0;
}
EOF
cat > "$T/src/crash.c" <<'EOF'
#include <stdlib.h>
int main(void) { abort(); }
EOF
cat > "$T/src/silent.c" <<'EOF'
#include <stdio.h>
int main(void) { int x; return scanf("%d", &x) == 1 ? 0 : 1; }
EOF
check guess bisect.c AC
check guess linear.c WA
# the submission dies first: the interactor only sees EOF afterwards, so RTE, not WA
check guess crash.c RTE
# both wait for each other: the submission is stopped at its wall clock, TLE
check guess silent.c TLE

# --- groups: scoring, three groups --------------------------------------------------------------
mkdir -p "$T/groups/data/sample" "$T/groups/data/secret/g1" "$T/groups/data/secret/g2" "$T/groups/data/secret/g3"
printf 'name: Groups\ntype: scoring\n' > "$T/groups/problem.yaml"
echo 1 > "$T/groups/.timelimit"
printf '1 1\n' > "$T/groups/data/sample/1.in"; printf '2\n' > "$T/groups/data/sample/1.ans"
for g in 1 2 3; do printf 'accept_score: %d\n' $((g * 10 + 10)) > "$T/groups/data/secret/g$g/testdata.yaml"; done
printf '1 2\n' > "$T/groups/data/secret/g1/1.in"; printf '3\n' > "$T/groups/data/secret/g1/1.ans"
printf '100 200\n' > "$T/groups/data/secret/g2/1.in"; printf '300\n' > "$T/groups/data/secret/g2/1.ans"
printf '2000000000 2000000000\n' > "$T/groups/data/secret/g3/1.in"; printf '4000000000\n' > "$T/groups/data/secret/g3/1.ans"
printf '2000000000 1\n' > "$T/groups/data/secret/g3/2.in"; printf '2000000001\n' > "$T/groups/data/secret/g3/2.ans"
cat > "$T/src/int32.c" <<'EOF'
#include <stdio.h>
int main(void) { int a, b; if (scanf("%d %d", &a, &b) != 2) return 1; printf("%d\n", (int)((unsigned)a + (unsigned)b)); return 0; }
EOF
check groups ac.c AC
[[ "$(field 'd["score"] == 90 and d["max_score"] == 90')" == True ]] || { echo "FAIL: full score"; fails=$((fails + 1)); }
check groups int32.c WA
[[ "$(field 'd["score"] == 50 and len(d["tests"]) == 5')" == True ]] ||
    { echo "FAIL: scoring must run every test and score g1+g2 = 50: $LAST"; fails=$((fails + 1)); }

if ((fails)); then echo "$fails check(s) failed"; exit 1; fi
echo "all checks passed"
