#!/usr/bin/env bash
# Runs the whole pipeline on data-sample/ with embedded local Spark. Extra arguments are passed to
# `run`, e.g. --run-date 2026-06-30 or --set model-preset=bigcommerce-10.
set -euo pipefail
source "$(dirname "$0")/spark-local-env.sh"
RUN_DATE="${RUN_DATE:-2026-09-30}"   # the last day of the committed sample's history
"${JAVA_CMD[@]}" run --conf conf/local.conf --run-date "$RUN_DATE" "$@"
