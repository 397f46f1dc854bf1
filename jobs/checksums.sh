#!/usr/bin/env bash
# Prints a checksum of every output table under a folder (default output/delta), one line per table:
# name, rows, and a sum of row hashes that ignores row order, run_id and write timestamps. Run it on the
# sample's output before and after a change that must not change results, and compare the two listings:
#   ./jobs/checksums.sh output/delta > before.txt; ...; ./jobs/checksums.sh output/delta | diff before.txt -
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
FOLDER="${1:-output/delta}"
if [ ! -d target/test-classes/com/customerhealth/bench ] \
   || [ -n "$(find src pom.xml -newer target/test-classes/com/customerhealth/bench -print -quit)" ]; then
  mvn -B -q -DskipTests test-compile >&2
  touch target/test-classes/com/customerhealth/bench
fi
if [ ! -f target/bench-classpath.txt ] || [ pom.xml -nt target/bench-classpath.txt ]; then
  mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >&2
  touch target/bench-classpath.txt
fi
OPENS="$(sed -n 's:.*<spark.jdk17.opens>\(.*\)</spark.jdk17.opens>.*:\1:p' pom.xml)"
java -Xmx2g $OPENS -Dspark.master=local[2] -Dspark.ui.enabled=false -Dspark.driver.host=127.0.0.1 \
  -Dspark.driver.bindAddress=127.0.0.1 -Dspark.sql.shuffle.partitions=4 \
  -Dlog4j2.configurationFile="$ROOT/conf/log4j2.properties" \
  -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  com.customerhealth.bench.TableChecksums "$FOLDER"
