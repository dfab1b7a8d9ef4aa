#!/usr/bin/env bash
# The tessera binary's command line: --version, --help, and refusing bad configuration with a
# message that names the file (without starting to listen).
set -uo pipefail
BIN=${TESSERA_BIN:?}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { echo "ok:   $*"; }

out=$(timeout 10 "$BIN" --version 2>&1); rc=$?
if [[ $rc -eq 0 && $out =~ [0-9]+\.[0-9]+\.[0-9]+ ]]; then ok "--version: $out"; else fail "--version: rc=$rc [$out]"; fi

out=$(timeout 10 "$BIN" --help 2>&1); rc=$?
if [[ $rc -eq 0 && $out == *--config* ]]; then ok "--help mentions --config"; else fail "--help: rc=$rc [$out]"; fi

out=$(timeout 10 "$BIN" --config "$TMP/does-not-exist.toml" 2>&1); rc=$?
if [[ $rc -ne 0 && $rc -ne 124 && $out == *does-not-exist.toml* ]]; then ok "missing config file refused"
else fail "missing config: rc=$rc [$out]"; fi

printf '[proxy]\nlisten = "127.0.0.1:1"\nno_such_key = 1\n' >"$TMP/bad.toml"
out=$(timeout 10 "$BIN" --config "$TMP/bad.toml" 2>&1); rc=$?
if [[ $rc -ne 0 && $rc -ne 124 && $out == *bad.toml* && $out == *no_such_key* ]]; then ok "unknown key refused"
else fail "unknown key: rc=$rc [$out]"; fi

mkdir -p "$TMP/ns"
printf '[proxy]\nlisten = "127.0.0.1:1"\nnamespaces_dir = "ns"\n[admin]\nlisten = ""\n' >"$TMP/ns.toml"
echo '{"name": "x", "slices": [{"name": "s0", "master": "not-an-address"}]}' >"$TMP/ns/x.json"
out=$(timeout 10 "$BIN" --config "$TMP/ns.toml" 2>&1); rc=$?
if [[ $rc -ne 0 && $rc -ne 124 && $out == *x.json* ]]; then ok "bad namespace file refused"
else fail "bad namespace: rc=$rc [$out]"; fi

# The configuration the integration tests use must itself be valid.
if [[ -n ${TESSERA_IT_CONFIG:-} ]]; then
  out=$(timeout 10 "$BIN" --check --config "$TESSERA_IT_CONFIG" 2>&1); rc=$?
  if [[ $rc -eq 0 ]]; then ok "--check accepts $TESSERA_IT_CONFIG"; else fail "--check $TESSERA_IT_CONFIG: rc=$rc [$out]"; fi
fi

if ((FAILS)); then echo "$FAILS check(s) failed"; exit 1; fi
