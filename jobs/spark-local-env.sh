# Sourced by the jobs/*.sh scripts: builds the jar when stale and sets JAVA_CMD to run it with
# embedded local Spark (Spark and its dependencies from the Maven repository; no Spark install). The jar
# is the one spark-submit gets: Delta and our other dependencies are inside it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JAR="target/customer-health-jobs-0.1.0-SNAPSHOT.jar"
if [ ! -f "$JAR" ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; then
  echo "Building $JAR ..." >&2
  mvn -B -q -DskipTests package
fi
if [ ! -f target/classpath.txt ] || [ pom.xml -nt target/classpath.txt ]; then
  # The provided scope: Spark and everything it ships, what spark-submit's classpath would supply.
  mvn -B -q dependency:build-classpath -DincludeScope=provided -Dmdep.outputFile=target/classpath.txt
  # The plugin leaves an unchanged list untouched: mark it fresh, or every later start would run Maven again.
  touch target/classpath.txt
fi
# Commands the jobs print for the user to type (calibrate's approve line) start with this launcher.
export CUSTOMER_HEALTH_LAUNCHER="${CUSTOMER_HEALTH_LAUNCHER:-./jobs/cli-local.sh}"
# The JDK 17 module opens Spark needs, as in the pom's surefire argLine.
OPENS="$(sed -n 's:.*<spark.jdk17.opens>\(.*\)</spark.jdk17.opens>.*:\1:p' pom.xml)"
# Local Spark binds to the loopback address (no "hostname resolves to a loopback address" warning).
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
# The heap: the sample needs well under 1.5 GB; without a cap the JVM takes a quarter of the machine's memory and
# keeps what it touched. Raise it for big local runs (SPARK_DRIVER_MEMORY=8g).
# The parallel collector: a batch job wants throughput, and G1's concurrent threads and remembered sets cost CPU and
# memory. Interpreted execution (SPARK_LOCAL_CODEGEN=false, the default here): on the sample and laptop-sized data,
# compiling each query's generated code costs more than it saves. With the 1.5 GB heap they took the sample's run from
# 99 s and 2.92 GB peak RSS to 84 s and 2.30 GB (bench/README.md), same tables. Set SPARK_LOCAL_CODEGEN=true for big
# local runs; spark-submit on a cluster keeps Spark's defaults (code generation on).
CODEGEN="${SPARK_LOCAL_CODEGEN:-false}"
# With code generation, -XX:-DontCompileHugeMethods: HotSpot leaves a method of over 8,000 bytes of bytecode to its
# interpreter, and Spark's generated code for a query that scores rows with several weight sets is that big
# (docs/operations.md, "JVM options"). Interpreted expressions generate no such methods: there it only adds compile work.
case "$CODEGEN" in
  true) CODEGEN_OPTS=(-XX:-DontCompileHugeMethods) ;;
  false) CODEGEN_OPTS=(-Dspark.sql.codegen.wholeStage=false -Dspark.sql.codegen.factoryMode=NO_CODEGEN) ;;
  *) echo "ERROR: SPARK_LOCAL_CODEGEN must be true or false (got '$CODEGEN')." >&2; exit 2 ;;
esac
# -XX:CompileThresholdScaling=3: a method is compiled after three times the calls. On the sample, JIT compilation was
# half the process's CPU (C2 58 s, C1 14 s of 146 s: -XX:+CITime); with the option C2 took 39 s and the run 76 to 79 s
# against 80 to 81 s wall, 11% less CPU (bench/README.md, 2026-12-07 later). Higher factors compiled less but ran slower.
# Spark's memory pages at 1 MB (SPARK_PAGE_SIZE), its floor: each hash aggregation, sort and broadcast hash join takes a
# whole page for its first row, and the default follows the heap (32 MB here). On the sample, peak RSS 2.21 and 2.23 GB
# went to 1.68 and 1.70 GB, in the same time (101.0 and 101.4 s against 104.7 and 101.8 s) and the same tables.
JAVA_CMD=(java -Xmx"${SPARK_DRIVER_MEMORY:-1536m}" -XX:+UseParallelGC -XX:CompileThresholdScaling=3 $OPENS
  "-Dspark.master=${SPARK_MASTER:-local[*]}"
  "${CODEGEN_OPTS[@]}"
  -Dspark.buffer.pageSize="${SPARK_PAGE_SIZE:-1m}"
  -Dspark.ui.enabled=false
  -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1
  -Dspark.sql.shuffle.partitions="${SPARK_SHUFFLE_PARTITIONS:-8}"
  -Dspark.sql.files.maxPartitionBytes="${SPARK_MAX_PARTITION_BYTES:-16m}"
  -Dlog4j2.configurationFile="$ROOT/conf/log4j2.properties"
  -cp "$JAR:$(cat target/classpath.txt)" com.customerhealth.cli.HealthJobs)
