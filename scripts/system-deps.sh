#!/usr/bin/env bash
# Best-effort install of the system packages some tests need (pgTAP + pg_prove, HypoPG for the local
# PostgreSQL service, Graphviz for the ER diagram images, Chromium for the HTML report test, promtool from
# Prometheus for the alert rules; dbdiagram's dbml2sql through npm when npm is there). Only when running as root with apt-get; otherwise it says what is missing
# and the tests that need it skip with a reason. Never fails the caller.
set -uo pipefail
want=()
pg_major=""
if command -v pg_config >/dev/null 2>&1; then
  pg_major="$(pg_config --version 2>/dev/null | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')"
elif [ -d /etc/postgresql ]; then
  pg_major="$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)"
fi
if [ -n "$pg_major" ]; then
  dpkg -s "postgresql-$pg_major-pgtap" >/dev/null 2>&1 || want+=("postgresql-$pg_major-pgtap")
  dpkg -s "postgresql-$pg_major-hypopg" >/dev/null 2>&1 || want+=("postgresql-$pg_major-hypopg")
fi
command -v pg_prove >/dev/null 2>&1 || want+=("libtap-parser-sourcehandler-pgtap-perl")
command -v dot >/dev/null 2>&1 || want+=("graphviz")
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || want+=("chromium")
command -v promtool >/dev/null 2>&1 || want+=("prometheus")
# redis-server: tests/test_cache_layer.py starts one when no Redis answers on localhost:6379
command -v redis-server >/dev/null 2>&1 || command -v redis-cli >/dev/null 2>&1 || want+=("redis-server")
# node + npm: the TypeScript/Prisma/Mongoose outputs are proven with tsc, prisma and mongoose from npm, which
# tests/npm_tools.py installs itself (--ignore-scripts) into ~/.cache/schemawright/ on first use
command -v node >/dev/null 2>&1 || want+=("nodejs")
command -v npm >/dev/null 2>&1 || want+=("npm")
# dbdiagram's dbml2sql (npm @dbml/cli): tests/test_dbml_dbdiagram.py checks our DBML with it (skips without it)
if ! command -v dbml2sql >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  npm i -g @dbml/cli >/dev/null 2>&1 || echo "system-deps: could not install @dbml/cli (npm); the DBML check will skip" >&2
fi
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${want[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null 2>&1; }; then
    echo "system-deps: could not install ${want[*]}; the tests that need them will skip and say so" >&2
  fi
else
  echo "system-deps: not root or no apt-get; missing ${want[*]} (the tests that need them skip and say so)" >&2
fi
exit 0
