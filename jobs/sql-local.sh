#!/usr/bin/env bash
# An SQL shell over the output tables of ./jobs/run-local.sh, by name (builds if needed):
#   ./jobs/sql-local.sh                                   # interactive: statements end in ';', exit to leave
#   ./jobs/sql-local.sh -e "SELECT health_tier, count(*) FROM account_health_current GROUP BY 1"
# The names live in output/delta/_catalog (an embedded Hive metastore): one process at a time opens it, so the shell
# says so and exits 1 while a job runs. Exit codes: 0 done; 2 bad usage or a statement Spark rejects; 1 anything else.
set -euo pipefail
source "$(dirname "$0")/spark-local-env.sh"
"${JAVA_CMD[@]}" sql --conf conf/local.conf "$@"
