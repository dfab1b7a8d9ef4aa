#!/usr/bin/env bash
# Include check: every `#include "<module>/..."` under src/ must name a module its own module
# may use, as the layering table of docs/design.md says (the rows between the
# `include-layers:begin` and `include-layers:end` markers: folder, layer, may use). Also:
# frontend/ includes neither the planner's internals (`router/planner/...`) nor exec/ files
# other than the engine's public headers (`exec/engine/*.h`).
#
# Known exceptions are listed in scripts/include-exceptions.txt, one per line:
#   <file under src/> <included path> <reason...>
# An exception that no longer matches an include fails the check too, so the list can only
# shrink. Exit status: 0 clean, 1 violations (each printed), 2 bad input.
#
#   scripts/check-includes.sh
#   scripts/check-includes.sh --root DIR [--layers FILE] [--exceptions FILE]   # another tree
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAYERS=""
EXCEPTIONS=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --root) ROOT=$(cd "$2" && pwd); shift 2 ;;
    --layers) LAYERS=$2; shift 2 ;;
    --exceptions) EXCEPTIONS=$2; shift 2 ;;
    *) echo "usage: $0 [--root DIR] [--layers FILE] [--exceptions FILE]" >&2; exit 2 ;;
  esac
done
LAYERS=${LAYERS:-$ROOT/docs/design.md}
EXCEPTIONS=${EXCEPTIONS:-$ROOT/scripts/include-exceptions.txt}
[[ -f $LAYERS ]] || { echo "check-includes: no layering table: $LAYERS" >&2; exit 2; }
[[ -d $ROOT/src ]] || { echo "check-includes: no src/ under $ROOT" >&2; exit 2; }

# "module: allowed allowed ..." per table row; a row's third cell lists `module` names or "-".
declare -A may_use=()
while IFS='|' read -r _ folder _layer uses _; do
  folder=$(sed -E 's/[` ]//g; s#/$##' <<<"$folder")
  [[ $folder =~ ^[a-z_]+$ ]] || continue
  may_use[$folder]=" $( (grep -oE '`[a-z_]+/?`' <<<"$uses" || true) | tr -d '`/' | tr '\n' ' ')"
done < <(sed -n '/include-layers:begin/,/include-layers:end/p' "$LAYERS" | grep '^|')
if [[ ${#may_use[@]} -eq 0 ]]; then
  echo "check-includes: no rows between the include-layers markers of $LAYERS" >&2
  exit 2
fi

# Every include of a module, as "file included-path".
mapfile -t includes < <(cd "$ROOT" && grep -rnoE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"[a-z_]+/[^"]+"' src \
  --include='*.h' --include='*.cc' --include='*.cpp' --include='*.inc' |
  sed -E 's/^([^:]+):[0-9]+:.*"([^"]+)"$/\1 \2/' | sort -u)

violations=()
status=0
for module_dir in "$ROOT"/src/*/; do
  module=$(basename "$module_dir")
  if [[ -z ${may_use[$module]+x} ]]; then
    echo "check-includes: src/$module/ has no row in the layering table of $LAYERS"
    status=1
  fi
done
for entry in "${includes[@]}"; do
  file=${entry%% *}
  inc=${entry#* }
  rest=${file#src/}
  own=${rest%%/*}
  target=${inc%%/*}
  if [[ $target == "$own" ]]; then continue; fi
  if [[ -z ${may_use[$target]+x} ]]; then continue; fi  # not one of ours (nlohmann/, asio/ ...)
  if [[ -z ${may_use[$own]+x} ]]; then continue; fi     # reported above
  why=""
  if [[ ${may_use[$own]} != *" $target "* ]]; then
    why="$own/ may not use $target/ (docs/design.md, module layering)"
  elif [[ $own == frontend && $inc == router/planner/* ]]; then
    why="frontend/ uses the planner through router/planner.h only, not its internals"
  elif [[ $own == frontend && $target == exec && ! $inc =~ ^exec/engine/[^/]+\.h$ ]]; then
    why="frontend/ uses exec/ through the engine's public headers (exec/engine/*.h) only"
  fi
  if [[ -n $why ]]; then violations+=("$file $inc|$why"); fi
done

# Exceptions: "file include reason..."; comments and blank lines skipped.
declare -A excepted=()
if [[ -f $EXCEPTIONS ]]; then
  while read -r file inc reason; do
    [[ -z $file || $file == \#* ]] && continue
    if [[ -z $inc || -z $reason ]]; then
      echo "check-includes: $EXCEPTIONS: '$file $inc' needs a file, an include and a reason"
      status=1
      continue
    fi
    excepted["$file $inc"]=0
  done <"$EXCEPTIONS"
fi

for v in "${violations[@]}"; do
  key=${v%%|*}
  if [[ -n ${excepted[$key]+x} ]]; then
    excepted[$key]=1
    continue
  fi
  echo "check-includes: ${key/ / includes } -- ${v#*|}"
  status=1
done
for key in "${!excepted[@]}"; do
  if [[ ${excepted[$key]} == 0 ]]; then
    echo "check-includes: exception '$key' matches no violation any more: remove it from $EXCEPTIONS"
    status=1
  fi
done
if [[ $status == 0 ]]; then
  echo "check-includes: ${#includes[@]} includes of src/ modules follow the layering (${#excepted[@]} listed exceptions)"
fi
exit $status
