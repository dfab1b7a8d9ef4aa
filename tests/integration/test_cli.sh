#!/usr/bin/env bash
# The mariadb command-line client against the target: queries, USE, errors with SQLSTATE,
# warnings, transactions and multi-statements.
set -uo pipefail
[[ -z ${TESSERA_IT_RUN_DIR:-} ]] || bash "$(dirname "$0")/fixture.sh" check || exit 1
HOST=${TESSERA_IT_HOST:-127.0.0.1}
PORT=${TESSERA_IT_PORT:-14306}
FAILS=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

m() { mariadb --no-defaults --protocol=tcp -h"$HOST" -P"$PORT" -uapp -papp_pw --connect-timeout=10 "$@"; }

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { echo "ok:   $*"; }

# expect_out NAME EXPECTED ARGS...  -- runs m ARGS, compares stdout exactly, requires exit 0
expect_out() {
  local name=$1 expected=$2; shift 2
  local out rc
  out=$(m "$@" 2>"$TMP/err"); rc=$?
  if [[ $rc -ne 0 ]]; then fail "$name: exit $rc, stderr: $(cat "$TMP/err")"; return; fi
  if [[ $out != "$expected" ]]; then
    fail "$name: expected [$expected], got [$out]"; return
  fi
  ok "$name"
}

# expect_err NAME 'ERROR 1146 (42S02)' ARGS...  -- requires non-zero exit and the text on stderr
expect_err() {
  local name=$1 expected=$2; shift 2
  local rc
  m "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?
  if [[ $rc -eq 0 ]]; then fail "$name: expected failure, got success: $(cat "$TMP/out")"; return; fi
  if ! grep -qF "$expected" "$TMP/err"; then
    fail "$name: expected [$expected] on stderr, got [$(cat "$TMP/err")]"; return
  fi
  ok "$name ($(grep -m1 -F "$expected" "$TMP/err" | head -c 100))"
}

echo "target $HOST:$PORT (${TESSERA_IT_MODE:-proxy} mode)"

expect_out "simple select" "2" -N -B -e "SELECT 1+1"
expect_out "several rows" $'1\ta\n2\tb\n3\tNULL' -N -B -e \
  "SELECT 1, 'a' UNION ALL SELECT 2, 'b' UNION ALL SELECT 3, NULL"
expect_out "utf8mb4 round trip" "héllo ☃ 🐘" -N -B --default-character-set=utf8mb4 -e "SELECT 'héllo ☃ 🐘'"
expect_out "USE then DATABASE()" "demo" -N -B -e "USE demo; SELECT DATABASE()"
expect_out "-D selects the db" "sbtest" -N -B -D sbtest -e "SELECT DATABASE()"
expect_out "USE switches twice" $'demo\nsbtest' -N -B -e "USE demo; SELECT DATABASE(); USE sbtest; SELECT DATABASE()"

expect_err "unknown table" "ERROR 1146 (42S02)" -e "SELECT * FROM demo.no_such_table_xyz"
expect_err "syntax error" "ERROR 1064 (42000)" -e "SELEKT 1"
expect_err "unknown column" "ERROR 1054 (42S22)" -e "SELECT no_such_column FROM (SELECT 1 AS a) t"
# 1049 (unknown database) from MariaDB; Tessera may answer 1044 (access denied) for a database
# outside the namespace's allowed_dbs. Both are SQLSTATE 42000.
out=$(m -e "USE no_such_db_xyz" 2>&1)
if grep -qE "ERROR (1049|1044) \(42000\)" <<<"$out"; then ok "USE unknown db ($out)"; else fail "USE unknown db: [$out]"; fi
expect_err "duplicate key" "ERROR 1062 (23000)" -e "
  DROP TABLE IF EXISTS demo.it_cli_dup; CREATE TABLE demo.it_cli_dup (id INT PRIMARY KEY);
  INSERT INTO demo.it_cli_dup VALUES (1); INSERT INTO demo.it_cli_dup VALUES (1)"

# The session survives an error: with --force the statements after the error still run.
out=$(printf "SELECT * FROM demo.no_such_table_xyz;\nSELECT 'after';\n" | m -N -B --force 2>/dev/null)
if [[ $out == "after" ]]; then ok "session survives an error"; else fail "session after error: [$out]"; fi

# Warnings: a truncating insert in non-strict mode, and division by zero.
out=$(m -N -B -e "
  SET SESSION sql_mode='';
  DROP TABLE IF EXISTS demo.it_cli_warn;
  CREATE TABLE demo.it_cli_warn (c CHAR(2), n TINYINT);
  INSERT INTO demo.it_cli_warn VALUES ('abcdef', 1000);
  SHOW WARNINGS;
  SELECT @@warning_count;" 2>&1)
if grep -q $'Warning\t1265\tData truncated for column .c.' <<<"$out" &&
   grep -q $'Warning\t1264\tOut of range value for column .n.' <<<"$out"; then
  ok "SHOW WARNINGS after truncating insert"
else
  fail "truncating insert warnings: [$out]"
fi
out=$(m -N -B -e "SELECT 1/0; SHOW WARNINGS;" 2>&1)
if [[ $out == $'NULL\nWarning\t1365\tDivision by 0' ]]; then ok "SELECT 1/0 warning"; else fail "1/0 warnings: [$out]"; fi
out=$(m -N -B -e "SELECT 1/0; SELECT @@warning_count;" 2>&1)
# @@warning_count reflects the previous statement's warnings
if [[ $out == $'NULL\n1' ]]; then ok "@@warning_count"; else fail "@@warning_count: [$out]"; fi

# Transactions: rollback discards, commit keeps.
out=$(m -N -B -e "
  DROP TABLE IF EXISTS demo.it_cli_txn; CREATE TABLE demo.it_cli_txn (id INT PRIMARY KEY) ENGINE=InnoDB;
  BEGIN; INSERT INTO demo.it_cli_txn VALUES (1); ROLLBACK;
  START TRANSACTION; INSERT INTO demo.it_cli_txn VALUES (2); COMMIT;
  SELECT GROUP_CONCAT(id) FROM demo.it_cli_txn;" 2>&1)
if [[ $out == "2" ]]; then ok "transaction rollback/commit"; else fail "transactions: [$out]"; fi

# Multi-statements: with a custom delimiter the client sends "a; b; c" as ONE COM_QUERY and
# reads several result sets back.
cat >"$TMP/multi.sql" <<'EOF'
DELIMITER //
SELECT 'first' AS a; SELECT 'second' AS b; DO 1; SELECT 'third' AS c//
DELIMITER ;
SELECT 'after';
EOF
out=$(m -N -B <"$TMP/multi.sql" 2>&1)
if [[ $out == $'first\nsecond\nthird\nafter' ]]; then ok "multi-statement query"; else fail "multi-statements: [$out]"; fi
# A multi-statement whose second statement fails: first result, then the error.
cat >"$TMP/multi_err.sql" <<'EOF'
DELIMITER //
SELECT 'one'; SELECT * FROM demo.no_such_table_xyz; SELECT 'never'//
EOF
out=$(m -N -B <"$TMP/multi_err.sql" 2>&1)
if grep -q '^one$' <<<"$out" && grep -qF 'ERROR 1146 (42S02)' <<<"$out" && ! grep -q never <<<"$out"; then
  ok "multi-statement with error"
else
  fail "multi-statement with error: [$out]"
fi

# Session variables persist across statements of one session.
expect_out "session variable" "42" -N -B -e "SET @x = 41; SELECT @x + 1"
expect_out "autocommit off/on" $'0\n1' -N -B -e "SET autocommit=0; SELECT @@autocommit; SET autocommit=1; SELECT @@autocommit"

# Larger result set streams completely.
expect_out "50k rows" "50000 1250025000" -N -B -D demo -e \
  "SELECT CONCAT(COUNT(*), ' ', SUM(seq)) FROM (SELECT seq FROM seq_1_to_50000) t"
out=$(m -N -B -D demo -e "SELECT seq, REPEAT('x', 100) FROM seq_1_to_20000" | wc -l)
if [[ $out == 20000 ]]; then ok "20k rows streamed"; else fail "20k rows: got $out lines"; fi

# Wrong password through the CLI.
out=$(mariadb --no-defaults --protocol=tcp -h"$HOST" -P"$PORT" -uapp -pwrong -e "SELECT 1" 2>&1)
if grep -qF "ERROR 1045 (28000)" <<<"$out"; then ok "wrong password → 1045"; else fail "wrong password: [$out]"; fi

if ((FAILS)); then echo "$FAILS check(s) failed"; exit 1; fi
echo "all CLI checks passed"
