package com.customerhealth.bench;

import com.customerhealth.spark.SparkSessions;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The benchmark's entry point (jobs/bench.sh runs it on the test classpath): runs {@link BenchHarness} on a
 * generated warehouse with local Spark (the master, heap and JVM flags come from the launcher, as for
 * jobs/cli-local.sh), writes {@code <results-dir>/<date>-<accounts>.json} and updates the table in the
 * README given.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark the whole pipeline on a generated warehouse, with the feature step side by side with DuckDB.")
public final class PipelineBench implements Callable<Integer> {
    @Option(names = "--warehouse", required = true, description = "Parquet warehouse written by `generate`.")
    Path warehouse;
    @Option(names = "--accounts", required = true, description = "Accounts the warehouse was generated with.")
    int accounts;
    @Option(names = "--months", required = true, description = "Months of history it was generated with.")
    int months;
    @Option(names = "--seed", required = true, description = "Seed it was generated with.")
    long seed;
    @Option(names = "--run-date", required = true, description = "Run date: the last day of the generated history.")
    LocalDate runDate;
    @Option(names = "--threads", required = true, description = "Spark local[N] threads, and DuckDB's threads.")
    int threads;
    @Option(names = "--work", required = true, description = "Scratch folder (emptied): output Delta tables, DuckDB spill.")
    Path work;
    @Option(names = "--results-dir", required = true, description = "Where <date>-<accounts>.json goes.")
    Path resultsDir;
    @Option(names = "--readme", description = "README whose results table gets this run's row.")
    Path readme;
    @Option(names = "--commit", defaultValue = "unknown", description = "Commit measured (git rev-parse --short HEAD).")
    String commit;
    @Option(names = "--sample-accounts", defaultValue = "500", description = "Accounts compared between DuckDB and Spark.")
    int sampleAccounts;
    @Option(names = "--probe-replicates", defaultValue = "10", description = "Replicates of the bootstrap probe's second joint fit (the first has 1).")
    int probeReplicates;
    @Option(names = "--duckdb-memory", defaultValue = "4GB", description = "DuckDB memory_limit.")
    String duckdbMemory;
    @Option(names = "--pipeline-only", description = "Only run's own stages: no feature stage alone, no DuckDB, no calibration taken apart.")
    boolean pipelineOnly;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Config override, as for the jobs.")
    Map<String, String> overrides = new LinkedHashMap<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new PipelineBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (accounts <= 0 || months <= 0 || threads <= 0 || sampleAccounts <= 0 || probeReplicates <= 0) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--accounts, --months, --threads, --sample-accounts and --probe-replicates must be above 0");
        }
        SparkSession spark = SparkSessions.getOrCreate("customer-health bench " + accounts);
        if (!spark.sparkContext().master().equals("local[" + threads + "]")) {
            throw new IllegalStateException("Spark runs on " + spark.sparkContext().master() + " but --threads is " + threads
                    + ": launch with -Dspark.master=local[" + threads + "] (jobs/bench.sh does).");
        }
        BenchHarness.Settings settings = new BenchHarness.Settings(warehouse, work, runDate, accounts, months, seed, threads,
                sampleAccounts, probeReplicates, duckdbMemory, commit, overrides, pipelineOnly);
        ObjectNode result = new BenchHarness(spark, settings, System.out).run();
        Files.createDirectories(resultsDir);
        Path json = resultsDir.resolve(LocalDate.now(ZoneOffset.UTC) + "-" + accounts + ".json");
        BenchHarness.json().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), result);
        System.out.println("Results: " + json);
        if (readme != null) {
            BenchReadme.update(readme, result);
            System.out.println("Table row: " + BenchReadme.row(result));
        }
        spark.stop();
        return 0;
    }
}
