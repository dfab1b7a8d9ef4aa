#!/usr/bin/env bash
# Self-test of scripts/check-includes.sh on a copy of tests/lint/include_fixture: the clean
# tree passes, and each kind of violation (a module above in the table, a module not in the
# "may use" cell, the planner's internals or exec/ internals from frontend/, a folder without a
# row) fails naming the file and the include; an exception with a reason lets one through, an
# exception without a reason or one that matches nothing fails.
#   tests/lint/check_includes_test.sh [path/to/check-includes.sh]
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CHECK=${1:-$HERE/../../scripts/check-includes.sh}
FIXTURE=$HERE/include_fixture
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0

fresh() { rm -rf "$WORK/t"; cp -r "$FIXTURE" "$WORK/t"; }
# expect <status> <text the output must contain or ""> <description>
expect() {
  local want=$1 text=$2 what=$3 out got
  out=$(bash "$CHECK" --root "$WORK/t" 2>&1)
  got=$?
  if [[ $got != "$want" ]] || [[ -n $text && $out != *"$text"* ]]; then
    echo "FAIL: $what: exit $got (want $want), output:"
    sed 's/^/    /' <<<"$out"
    failures=$((failures + 1))
  else
    echo "ok: $what"
  fi
}

fresh
expect 0 "follow the layering" "the clean fixture passes"

fresh
echo '#include "mid/mid.h"' >>"$WORK/t/src/base/other.h"
expect 1 "src/base/other.h includes mid/mid.h -- base/ may not use mid/" "a lower module including a higher one"

fresh
printf '#pragma once\n#  include "mid/mid.h"\n' >"$WORK/t/src/exec/engine/uses_mid.h"
expect 1 "src/exec/engine/uses_mid.h includes mid/mid.h" "a module not in the may-use cell (from a subfolder, spaced #  include)"

fresh
echo '#include "router/planner/detail.h"' >>"$WORK/t/src/frontend/session.cc"
expect 1 "src/frontend/session.cc includes router/planner/detail.h -- frontend/ uses the planner through router/planner.h only" "frontend including the planner's internals"

fresh
echo '#include "exec/internal.h"' >>"$WORK/t/src/frontend/session.cc"
expect 1 "src/frontend/session.cc includes exec/internal.h -- frontend/ uses exec/ through the engine's public headers" "frontend including an exec/ internal"

fresh
echo '#include "exec/internal.h"' >>"$WORK/t/src/frontend/session.cc"
echo 'src/frontend/session.cc exec/internal.h the fixture says why' >>"$WORK/t/scripts/include-exceptions.txt"
expect 0 "1 listed exceptions" "a listed exception with a reason passes"

fresh
echo 'src/frontend/session.cc exec/internal.h' >>"$WORK/t/scripts/include-exceptions.txt"
expect 1 "needs a file, an include and a reason" "an exception without a reason"

fresh
echo 'src/frontend/session.cc exec/gone.h no longer included' >>"$WORK/t/scripts/include-exceptions.txt"
expect 1 "matches no violation any more" "a stale exception"

fresh
mkdir -p "$WORK/t/src/nolayer"
echo '#include "base/base.h"' >"$WORK/t/src/nolayer/x.cc"
expect 1 "src/nolayer/ has no row in the layering table" "a folder without a row (rows outside the markers do not count)"

fresh
sed -i '/include-layers:begin/,/include-layers:end/d' "$WORK/t/docs/design.md"
expect 2 "no rows between the include-layers markers" "a document without the table"

if [[ $failures -gt 0 ]]; then echo "$failures case(s) failed"; exit 1; fi
echo "all cases passed"
