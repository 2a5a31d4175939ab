#!/usr/bin/env bash
# The main job: design examples/ecommerce.json and verify it on the embedded PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/schemawright design examples/ecommerce.json -o out/ecommerce
.venv/bin/schemawright verify out/ecommerce
