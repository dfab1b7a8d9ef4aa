#!/usr/bin/env bash
# Runs test_drivers.js, installing the pinned npm packages (package-lock.json) first if needed.
set -euo pipefail
cd "$(dirname "$0")"
if [[ ! -d node_modules/mariadb || ! -d node_modules/mysql2 ||
      package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
exec node test_drivers.js "$@"
