#!/usr/bin/env bash
# The SQL front-end fuzz targets (parse+print+reparse, fingerprint+classify) for a chosen time
# each: scripts/fuzz-sql.sh [seconds, default 60]. See scripts/fuzz.sh.
exec "$(dirname "${BASH_SOURCE[0]}")/fuzz.sh" "${1:-60}" fuzz_sql_parse fuzz_sql_fingerprint
