#!/usr/bin/env bash
# Runs any customer-health command with embedded local Spark (builds if needed), e.g.
#   ./jobs/cli-local.sh approve --conf conf/local.conf --version <version> --by "Ana Ruiz"
#   ./jobs/cli-local.sh calibrate --conf conf/local.conf --run-date 2026-09-30
set -euo pipefail
source "$(dirname "$0")/spark-local-env.sh"
"${JAVA_CMD[@]}" "$@"
