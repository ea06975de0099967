#!/usr/bin/env bash
# test_judge_verify.sh - `gavel-judge verify` over every package of problems/: each reference
# submission must get the verdict its folder (or @EXPECTED_RESULTS@ header) names.
#
# The packages are copied to a temp folder first, so that what verify writes (a derived
# .timelimit, generated test data) never touches the source tree. The compile cache lives in the
# build folder and is shared with the other judge tests.
set -euo pipefail

JUDGE="${GAVEL_BUILD_DIR:?}/judge/gavel-judge"
CACHE="${GAVEL_BUILD_DIR}/judge-test-cache"
SRC="${GAVEL_SOURCE_DIR:?}/problems"
T="$(mktemp -d /tmp/gv-judge-verify-XXXXXX)"
trap 'rm -rf "$T"' EXIT

shopt -s nullglob
pkgs=("$SRC"/*/)
if ((${#pkgs[@]} == 0)); then
    echo "no packages under $SRC"
    exit 1
fi
cp -r "$SRC" "$T/problems"
# the table per package and the summary line; exit 1 on any mismatch or broken package
set +e
"$JUDGE" verify "$T"/problems/*/ --cache "$CACHE"
rc=$?
set -e
echo "verify exit status: $rc"
exit "$rc"
