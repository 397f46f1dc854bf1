#!/usr/bin/env bash
# Benchmarks the whole pipeline (`run`) on a generated warehouse, with the feature step side by side with
# DuckDB, and records the result (bench/README.md says what it measures):
#   ./jobs/bench.sh --accounts 10000 [--months 36] [--seed 42] [--threads 2] [--end-date 2026-09-30] [--profile-features]
#                   [--pipeline-only]
# The warehouse is generated once per accounts/months/seed under bench/data/ and reused. Writes
# bench/results/<date>-<accounts>.json and that run's row of the table in bench/README.md.
# Environment: BENCH_HEAP (driver -Xmx, default 4g), SPARK_SHUFFLE_PARTITIONS (default accounts / 2,500, at least 8),
# SPARK_MAX_PARTITION_BYTES (input split size, default 16m, as run-local.sh),
# BENCH_DUCKDB_MEMORY (DuckDB memory_limit, default 4GB), BENCH_SAMPLE_ACCOUNTS (500),
# BENCH_PROBE_REPLICATES (10); extra arguments after -- go to the benchmark (e.g. -- --set model-preset=...).
# --profile-features instead times the feature step's parts (population, each source table, all) on the inputs
# validated and staged as Parquet under bench/work/profile-staging (as run stages them), and writes
# its plan to bench/work/<accounts>-<months>-<seed>-feature-plan.txt; it records no result. --pipeline-only times run's own
# stages alone (no feature stage alone, no DuckDB, no calibration taken apart): for the largest scales.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
ACCOUNTS="" MONTHS=36 SEED=42 THREADS=2 END_DATE=2026-09-30 PROFILE="" PIPELINE_ONLY=()
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --accounts) ACCOUNTS="${2:-}"; shift 2 ;;
    --months) MONTHS="${2:-}"; shift 2 ;;
    --seed) SEED="${2:-}"; shift 2 ;;
    --threads) THREADS="${2:-}"; shift 2 ;;
    --end-date) END_DATE="${2:-}"; shift 2 ;;
    --profile-features) PROFILE=1; shift ;;
    --pipeline-only) PIPELINE_ONLY=(--pipeline-only); shift ;;
    -h|--help) usage ;;
    --) shift; EXTRA=("$@"); break ;;
    *) echo "ERROR: unknown option $1" >&2; usage ;;
  esac
done
for v in ACCOUNTS MONTHS SEED THREADS; do
  if ! [[ "${!v}" =~ ^[0-9]+$ ]] || [ "${!v}" -le 0 ]; then
    echo "ERROR: --$(echo "$v" | tr 'A-Z' 'a-z') must be a positive integer (got '${!v}')" >&2; usage
  fi
done
if ! [[ "$END_DATE" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then
  echo "ERROR: --end-date must be YYYY-MM-DD (got '$END_DATE')" >&2; exit 2
fi

# Test classes and the test classpath: the benchmark and DuckDB live in test scope, never in the jar.
if [ ! -d target/test-classes/com/customerhealth/bench ] \
   || [ -n "$(find src pom.xml -newer target/test-classes/com/customerhealth/bench -print -quit)" ]; then
  echo "Compiling ..." >&2
  mvn -B -q -DskipTests test-compile
  touch target/test-classes/com/customerhealth/bench
fi
if [ ! -f target/bench-classpath.txt ] || [ pom.xml -nt target/bench-classpath.txt ]; then
  mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
  touch target/bench-classpath.txt
fi
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
OPENS="$(sed -n 's:.*<spark.jdk17.opens>\(.*\)</spark.jdk17.opens>.*:\1:p' pom.xml)"
HEAP="${BENCH_HEAP:-4g}"
# Shuffle partitions sized to the data: one per 2,500 accounts (about a million usage rows), at least 8.
SHUFFLE_DEFAULT=$(( ACCOUNTS / 2500 > 8 ? ACCOUNTS / 2500 : 8 ))
# The parallel collector, as the local launcher: at 100k accounts the pipeline took 348.0 s against 377.2 s with G1,
# every stage faster (bench/README.md, 2026-12-06). It failed the 1M run in calibrate (GC overhead limit) until
# calibrate's partitions were bounded by size (5bda843, da128e2): the 1M run completes with it. Huge generated methods JIT-compiled, as the local launcher with code generation
# (jobs/spark-local-env.sh): the 100k pipeline 390.9 -> 342.9 s, back to back.
JAVA=(java "-Xmx$HEAP" -XX:+UseParallelGC -XX:-DontCompileHugeMethods $OPENS
  "-Dspark.master=local[$THREADS]"
  -Dspark.ui.enabled=false
  -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1
  -Dspark.sql.shuffle.partitions="${SPARK_SHUFFLE_PARTITIONS:-$SHUFFLE_DEFAULT}"
  -Dspark.sql.files.maxPartitionBytes="${SPARK_MAX_PARTITION_BYTES:-16m}"
  -Dspark.sql.warehouse.dir="$ROOT/bench/work/spark-warehouse"
  -Dlog4j2.configurationFile="$ROOT/conf/log4j2.properties"
  -Duser.timezone=UTC
  -cp "$CP")

# The warehouse, once per scale: generated into a staging folder, the marker written last.
DATA="bench/data/$ACCOUNTS-$MONTHS-$SEED"
if [ "$END_DATE" != 2026-09-30 ]; then DATA="$DATA-$END_DATE"; fi
if [ -f "$DATA/_BENCH_COMPLETE" ]; then
  echo "Reusing $DATA" >&2
else
  rm -rf "$DATA" "$DATA.partial"
  mkdir -p "$(dirname "$DATA")"
  echo "Generating $ACCOUNTS accounts x $MONTHS months (seed $SEED) into $DATA ..." >&2
  started=$(date +%s)
  "${JAVA[@]}" com.customerhealth.cli.HealthJobs generate --accounts "$ACCOUNTS" --months "$MONTHS" --seed "$SEED" \
    --end-date "$END_DATE" --format parquet --out "$DATA.partial"
  mv "$DATA.partial" "$DATA"
  printf 'accounts=%s months=%s seed=%s end-date=%s generated-in-s=%s\n' "$ACCOUNTS" "$MONTHS" "$SEED" "$END_DATE" \
    "$(( $(date +%s) - started ))" > "$DATA/_BENCH_COMPLETE"
fi

if [ -n "$PROFILE" ]; then
  mkdir -p bench/work
  echo "uptime before: $(uptime)" >&2
  "${JAVA[@]}" com.customerhealth.bench.FeatureProfile --warehouse "$DATA" --run-date "$END_DATE" \
    --plan-out "bench/work/$ACCOUNTS-$MONTHS-$SEED-feature-plan.txt" --staging bench/work/profile-staging ${EXTRA[@]+"${EXTRA[@]}"}
  echo "uptime after: $(uptime)" >&2
  exit 0
fi

COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null | grep -v -e ' bench/README.md$' -e ' bench/results/' || true)" ]; then
  COMMIT="$COMMIT+dirty"
fi
echo "uptime before: $(uptime)" >&2
"${JAVA[@]}" com.customerhealth.bench.PipelineBench --warehouse "$DATA" --accounts "$ACCOUNTS" --months "$MONTHS" --seed "$SEED" \
  --run-date "$END_DATE" --threads "$THREADS" --work "bench/work/$ACCOUNTS-$MONTHS-$SEED" --results-dir bench/results \
  --readme bench/README.md --commit "$COMMIT" --duckdb-memory "${BENCH_DUCKDB_MEMORY:-4GB}" \
  --sample-accounts "${BENCH_SAMPLE_ACCOUNTS:-500}" --probe-replicates "${BENCH_PROBE_REPLICATES:-10}" \
  ${PIPELINE_ONLY[@]+"${PIPELINE_ONLY[@]}"} ${EXTRA[@]+"${EXTRA[@]}"}
echo "uptime after: $(uptime)" >&2
