#!/usr/bin/env bash
# Re-creates data-sample/warehouse exactly as committed (same seed, same bytes).
set -euo pipefail
source "$(dirname "$0")/spark-local-env.sh"

"${JAVA_CMD[@]}" generate --accounts 2000 --months 36 --seed 42 --end-date 2026-09-30 --format parquet \
  --out "$ROOT/data-sample/warehouse" "$@"
