#!/usr/bin/env bash
# The coverage study of calibration's intervals (issue 18; docs/calibration-coverage.md): planted truth, many seeds,
# several sample sizes; all seeds of a size fitted together in one pass.
#   ./jobs/coverage-study.sh [--seeds 40] [--replicates 100] [--accounts "1000 2500 5000"]
# Writes bench/results/coverage-<commit>.md (rewritten after each size) and prints the table.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SEEDS=40 REPLICATES=100 ACCOUNTS="1000 2500 5000"
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) SEEDS="${2:-}"; shift 2 ;;
    --replicates) REPLICATES="${2:-}"; shift 2 ;;
    --accounts) ACCOUNTS="${2:-}"; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    *) echo "ERROR: unknown option $1" >&2; exit 2 ;;
  esac
done
for v in $SEEDS $REPLICATES $ACCOUNTS; do
  if ! [[ "$v" =~ ^[0-9]+$ ]] || [ "$v" -le 0 ]; then echo "ERROR: counts must be positive integers (got '$v')" >&2; exit 2; fi
done
mvn -B -q -o -DskipTests test-compile
if [ ! -f target/bench-classpath.txt ] || [ pom.xml -nt target/bench-classpath.txt ]; then
  mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
  touch target/bench-classpath.txt
fi
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
OPENS="$(sed -n 's:.*<spark.jdk17.opens>\(.*\)</spark.jdk17.opens>.*:\1:p' pom.xml)"
COMMIT="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo '-dirty')"
mkdir -p bench/results
# shellcheck disable=SC2086
java "-Xmx${COVERAGE_HEAP:-3g}" $OPENS -Dspark.master="local[${THREADS:-2}]" -Dspark.ui.enabled=false \
  -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1 -Dspark.sql.shuffle.partitions=4 \
  -Dlog4j2.configurationFile="$ROOT/conf/log4j2.properties" -Duser.timezone=UTC -cp "$CP" \
  com.customerhealth.calibrate.CoverageStudy "$SEEDS" "$REPLICATES" "bench/results/coverage-$COMMIT.md" "$COMMIT" $ACCOUNTS
