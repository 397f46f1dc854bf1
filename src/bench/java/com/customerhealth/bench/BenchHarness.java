package com.customerhealth.bench;

import static org.apache.spark.sql.functions.col;

import com.customerhealth.calibrate.BootstrapProbe;
import com.customerhealth.calibrate.Calibrator;
import com.customerhealth.calibrate.TrainingSet;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.CalibrationSettings;
import com.customerhealth.config.HealthModel;
import com.customerhealth.features.FeatureStep;
import com.customerhealth.jobs.JobContext;
import com.customerhealth.jobs.Pipeline;
import com.customerhealth.jobs.PipelineObserver;
import com.customerhealth.score.ScoringPipeline;
import com.customerhealth.validate.TableReport;
import com.customerhealth.validate.ValidatedWarehouse;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs the whole pipeline ({@code run}) for one run date stage by stage, timing each and gathering its
 * Spark figures, plus measurements outside the pipeline: the point-in-time feature step alone, the same
 * features in DuckDB (checked equal on a sample of accounts), and calibration split into its snapshots,
 * its fit with cross-validation, and single bootstrap replicates. Returns the result as a JSON tree
 * ({@code bench/README.md} documents every field).
 */
public final class BenchHarness {

    /**
     * @param warehouse       Parquet warehouse as {@code generate} writes it
     * @param work            scratch folder: the output Delta tables and DuckDB's spill folder go under it (emptied first)
     * @param sampleAccounts  accounts in the DuckDB-vs-Spark comparison
     * @param probeReplicates replicates of the bootstrap probe's second joint fit (the first has 1)
     * @param overrides       --set style config overrides layered over the bench's own
     * @param pipelineOnly    only {@code run}'s own stages: no feature stage alone, no DuckDB, no calibration taken apart
     *                        (the largest scales, where those measurements would double the run)
     */
    public record Settings(Path warehouse, Path work, LocalDate runDate, int accounts, int months, long seed, int threads,
                           int sampleAccounts, int probeReplicates, String duckdbMemoryLimit, String commit,
                           Map<String, String> overrides, boolean pipelineOnly) {
        public Settings(Path warehouse, Path work, LocalDate runDate, int accounts, int months, long seed, int threads,
                        int sampleAccounts, int probeReplicates, String duckdbMemoryLimit, String commit, Map<String, String> overrides) {
            this(warehouse, work, runDate, accounts, months, seed, threads, sampleAccounts, probeReplicates, duckdbMemoryLimit, commit,
                    overrides, false);
        }
    }

    /** What one stage measured directly; the Spark figures are joined in once the listener has every event. */
    private record Done(String name, boolean inPipeline, double wallSeconds, Long rowsIn, String rowsInMeaning, Long rowsOut,
                        String rowsOutMeaning, long heapPeakBytes, long oldGenPeakBytes, long heapSampledMaxBytes,
                        double processCpuSeconds) {
        Done withRowsOut(long rows, String meaning) {
            return new Done(name, inPipeline, wallSeconds, rowsIn, rowsInMeaning, rows, meaning, heapPeakBytes, oldGenPeakBytes,
                    heapSampledMaxBytes, processCpuSeconds);
        }
    }

    /** The largest heap in use (garbage included) seen by sampling every 50 ms: the heap at one moment, unlike the pools' peaks summed. */
    private static final class HeapSampler implements AutoCloseable {
        private final java.util.concurrent.atomic.AtomicLong max = new java.util.concurrent.atomic.AtomicLong();
        private final Thread thread;
        private volatile boolean running = true;

        HeapSampler() {
            java.lang.management.MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            max.set(memory.getHeapMemoryUsage().getUsed());
            thread = new Thread(() -> {
                while (running) {
                    max.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "bench-heap-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
        }

        long max() {
            return max.get();
        }
    }

    /** What a stage body reports beyond its time. */
    private static final class StageRun {
        Long rowsIn;
        String rowsInMeaning;
        Long rowsOut;
        String rowsOutMeaning;

        void rowsIn(long n, String meaning) {
            rowsIn = n;
            rowsInMeaning = meaning;
        }

        void rowsOut(long n, String meaning) {
            rowsOut = n;
            rowsOutMeaning = meaning;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SparkSession spark;
    private final Settings s;
    private final PrintStream out;
    private final StageMetrics metrics = new StageMetrics();
    private final List<Done> done = new ArrayList<>();

    public BenchHarness(SparkSession spark, Settings settings, PrintStream out) {
        this.spark = spark;
        this.s = settings;
        this.out = out;
    }

    static String groupOf(String stage) {
        return "bench:" + stage;
    }

    /** The config of the benchmark's run: the warehouse as Parquet, the output tables under the work folder, by path only. */
    AppConfig config() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("input.root", s.warehouse().toAbsolutePath().toString());
        o.put("input.format", "parquet");
        o.put("output.path", s.work().resolve("delta").toAbsolutePath().toString());
        o.put("output.database", "");
        o.putAll(s.overrides());
        return AppConfig.load(null, o);
    }

    /**
     * Runs {@code run}'s own loop ({@link Pipeline#run} over {@link Pipeline#all}), timing each of its stages through
     * the pipeline's observer; the measurements outside the pipeline (the feature step alone, DuckDB, calibration
     * taken apart) run on the same validated inputs, between the read and the first job, and are not counted in
     * the pipeline's figures.
     */
    public ObjectNode run() {
        requireWarehouse();
        resetWork();
        AppConfig config = config();
        String runId = "run-" + s.runDate();
        double[] loadBefore = loadAverages();
        Instant started = Instant.now();
        JobContext ctx = JobContext.of(spark, config, s.runDate(), runId, out);
        CalibrationSettings cal = config.calibration();
        List<LocalDate> snapshotDates = TrainingSet.Dates.of(s.runDate(), cal).all();
        Set<String> featureColumns = new LinkedHashSet<>();
        config.model().featureRequests().forEach(r -> featureColumns.add(r.column()));

        SparkContext sc = spark.sparkContext();
        sc.addSparkListener(metrics);
        ObjectNode duck = JSON.createObjectNode();
        ObjectNode calibration = JSON.createObjectNode();
        List<TableReport> reports = new ArrayList<>();
        try (DuckDbFeatures duckdb = new DuckDbFeatures(s.warehouse(), s.threads(), s.duckdbMemoryLimit(), duckTemp())) {
            Set<String> missing = duckdb.missingColumns(featureColumns);
            if (!missing.isEmpty()) {
                throw new IllegalStateException("The DuckDB feature SQL (" + DuckDbFeatures.SQL_RESOURCE + ") covers the default preset "
                        + "template-25-25-50, but model " + config.model().name() + " also requests " + missing
                        + ": add them to the SQL or run the benchmark with the default preset.");
            }
            out.printf("Benchmark run %s, run date %s, %d as-of dates for features and calibration%n", runId, s.runDate(),
                    snapshotDates.size());
            Pipeline.run(ctx, "run", Pipeline.all(), new PipelineObserver() {
                private Stage current;

                @Override
                public void stageStarted(String stage) {
                    current = begin(stage, true);
                }

                @Override
                public void stageEnded(String stage, RuntimeException failure, Map<String, Long> rowsWritten) {
                    end(current);
                }

                @Override
                public void inputsRead(ValidatedWarehouse warehouse) {
                    reports.addAll(warehouse.reports());
                    Done read = done.remove(done.size() - 1);
                    done.add(read.withRowsOut(warehouse.reports().stream()
                            .mapToLong(t -> t.rows() - t.rejected() - t.excludedAfterRunDate()).sum(), "validated rows of the input tables"));
                    if (s.pipelineOnly()) {
                        return;
                    }
                    Dataset<Row> features = sparkFeatures(warehouse, config, snapshotDates);
                    double duckSeconds = duckFeatures(duckdb, snapshotDates, reports);
                    compare(duckdb, features, featureColumns);
                    duck.put("version", duckdb.version());
                    duck.put("threads", Integer.parseInt(duckdb.setting("threads")));
                    duck.put("memory_limit", duckdb.setting("memory_limit"));
                    duck.put("wall_s", round3(duckSeconds));
                    duckdb.close(); // frees DuckDB's memory before the Spark pipeline runs
                    calibrationParts(ctx, warehouse, config, calibration);
                }
            });
        } finally {
            StageMetrics.drain(sc);
            sc.removeSparkListener(metrics);
        }
        return result(config, reports, snapshotDates, loadBefore, loadAverages(), started, duck, calibration);
    }

    // ------------------------------------------------------------------ stages

    /**
     * The feature step over every snapshot date in one pass, forced by a write to Spark's noop sink. Its row
     * count is its population's (each source joins on unique (account, date) keys), counted after the stage.
     * Not Dataset.observe: in Spark 4.1 an observation leaves the session's ObservationManager initialised,
     * and later tasks whose closures hold the session (MLlib's CrossValidator) fail as not serializable.
     */
    private Dataset<Row> sparkFeatures(ValidatedWarehouse warehouse, AppConfig config, List<LocalDate> dates) {
        Dataset<Row> population = ScoringPipeline.population(warehouse, dates);
        Dataset<Row> features = new FeatureStep(config.validation().highTicketPriorities()).compute(warehouse, population, dates, config.model().featureRequests());
        stage("features", false, r -> {
            features.write().format("noop").mode("overwrite").save();
            return null;
        });
        long rows = population.count(); // between stages: in no stage's figures
        done.add(done.remove(done.size() - 1).withRowsOut(rows, "(account, as-of date) feature rows"));
        return features;
    }

    private double duckFeatures(DuckDbFeatures duckdb, List<LocalDate> dates, List<TableReport> reports) {
        stage("duckdb_features", false, r -> {
            long rows = duckdb.compute(dates);
            r.rowsIn(reports.stream().filter(t -> DuckDbFeatures.TABLES.contains(t.table())).mapToLong(TableReport::rows).sum(),
                    "rows of the Parquet tables the SQL reads");
            r.rowsOut(rows, "(account, as-of date) feature rows");
            return null;
        });
        return done.get(done.size() - 1).wallSeconds();
    }

    /** Spark's and DuckDB's features for the same sample of accounts, all dates, compared on the driver (the only collect). */
    private void compare(DuckDbFeatures duckdb, Dataset<Row> features, Set<String> featureColumns) {
        stage("duckdb_check", false, r -> {
            List<String> sample = duckdb.sampleAccounts(s.sampleAccounts());
            List<String> columns = new ArrayList<>(List.of("mrr", "seats"));
            columns.addAll(featureColumns);
            Map<FeatureComparison.Key, Object[]> sparkRows = new HashMap<>();
            List<org.apache.spark.sql.Column> select = new ArrayList<>(List.of(col("account_id"), col("as_of_date")));
            columns.forEach(c -> select.add(col(c)));
            for (Row row : features.where(col("account_id").isin(sample.toArray())).select(select.toArray(org.apache.spark.sql.Column[]::new))
                    .collectAsList()) {
                Object[] values = new Object[columns.size()];
                for (int i = 0; i < columns.size(); i++) {
                    Object v = row.get(2 + i);
                    values[i] = v instanceof BigDecimal || v == null || v instanceof Double ? v
                            : v instanceof Number n ? (Object) n.longValue() : v;
                }
                sparkRows.put(new FeatureComparison.Key(row.getString(0), row.getDate(1).toLocalDate()), values);
            }
            Map<FeatureComparison.Key, Object[]> duckRows = duckdb.rows(new LinkedHashSet<>(sample), columns);
            FeatureComparison.Result c = FeatureComparison.compare(sample.size(), columns, sparkRows, duckRows);
            comparison = c;
            r.rowsOut(c.rows(), "sample (account, as-of date) rows compared");
            out.printf(Locale.ROOT, "DuckDB vs Spark features on %d accounts (%d rows, %d values): %s%n", c.accountsCompared(), c.rows(),
                    c.valuesCompared(), c.matched() ? "equal (max |diff| " + c.maxAbsDiff() + ")" : c.mismatches() + " differ: "
                            + c.examples());
            return null;
        });
    }

    private FeatureComparison.Result comparison;

    /**
     * Calibration taken apart on the same data, outside the pipeline's figures: the snapshots (computed once
     * and local-checkpointed, as CalibrateJob does), the calibration with a two-replicate bootstrap (window counts,
     * cross-validation, the fit, holdout evaluation, segment fits), and single bootstrap replicates.
     */
    private void calibrationParts(JobContext ctx, ValidatedWarehouse warehouse, AppConfig config, ObjectNode into) {
        CalibrationSettings cal = config.calibration();
        TrainingSet.Dates dates = TrainingSet.Dates.of(s.runDate(), cal);
        HealthModel current = ctx.scoringModel();
        Dataset<Row> snapshots = stage("calibrate.snapshots", false, r -> {
            Dataset<Row> d = TrainingSet.build(warehouse, config, current, dates)
                    .repartition(spark.sparkContext().defaultParallelism()).localCheckpoint(true);
            r.rowsOut(d.count(), "snapshots (customer x month end), computed once and local-checkpointed");
            return d;
        });
        // Two replicates, the fewest the evidence of a proposal needs (with none, nothing is proposed and there is no fit
        // to probe); fitted jointly with the cross-validation, they add one problem each to its passes.
        CalibrationSettings noBootstrap = new CalibrationSettings(cal.lookbackMonths(), cal.horizonDays(), cal.holdoutMonths(),
                cal.countInvoluntary(), cal.folds(), cal.regParams(), 2, cal.intervalLevel(), cal.shrinkageK(), cal.minChurnEvents(),
                cal.maxWeightChange(), cal.segmentMinChurnEvents(), cal.segmentAucGap(), cal.seed(), cal.parallelism());
        Calibrator.Result fitted = stage("calibrate.fit_cv", false, r -> {
            Calibrator.Result result = new Calibrator(noBootstrap, config.tiers(), config.model(), current)
                    .calibrate(snapshots, dates, ctx.runId(), s.runDate());
            r.rowsOut(result.report().data().trainingRows(), "training snapshots fitted");
            return result;
        });
        double regParam = fitted.report().fit().regParam();
        into.put("snapshot_dates", dates.all().size());
        into.put("training_rows", fitted.report().data().trainingRows());
        into.put("training_churn_events", fitted.report().data().trainingChurnEvents());
        into.put("holdout_rows", fitted.report().data().holdoutRows());
        into.put("folds", cal.folds());
        into.set("reg_params", JSON.valueToTree(cal.regParams()));
        into.put("reg_param_chosen", Double.isNaN(regParam) ? null : regParam);
        into.put("pipeline_bootstrap_replicates", cal.bootstrapReplicates());
        into.put("parallelism", cal.parallelism());
        if (fitted.report().proposedVersion() == null || Double.isNaN(regParam)) {
            into.put("bootstrap_probe_skipped", "no fit to bootstrap: " + fitted.report().statusReason());
            return;
        }
        BootstrapProbe.Result probe = stage("calibrate.bootstrap_probe", false, r -> {
            BootstrapProbe.Result p = BootstrapProbe.run(snapshots, config.model(), cal.seed(), regParam, s.probeReplicates());
            r.rowsIn(p.trainingRows(), "training snapshots each replicate reweights");
            return p;
        });
        ObjectNode p = into.putObject("bootstrap_probe");
        List<Object> rounds = new ArrayList<>();
        for (BootstrapProbe.Round round : probe.rounds()) {
            rounds.add(Map.of("replicates", round.replicates(), "seconds", round3(round.seconds()), "passes", round.passes()));
        }
        p.set("rounds", JSON.valueToTree(rounds));
        p.put("per_replicate_s", round3(probe.perReplicateSeconds()));
        p.put("estimate_for_pipeline_replicates_s", round3(probe.rounds().get(0).seconds()
                + probe.perReplicateSeconds() * (cal.bootstrapReplicates() - 1)));
        p.put("plan_reads_files", probe.planReadsFiles());
        p.put("replicate_input_plan", probe.replicatePlan());
    }

    /** A stage being timed. */
    private record Stage(String name, boolean inPipeline, StageRun run, HeapSampler sampler, long cpu0, long t0) {
    }

    private Stage begin(String name, boolean inPipeline) {
        resetHeapPeaks();
        out.printf("[bench] %s ...%n", name);
        metrics.begin(name);
        spark.sparkContext().setJobGroup(groupOf(name), "benchmark stage " + name, false);
        return new Stage(name, inPipeline, new StageRun(), new HeapSampler(), processCpuNanos(), System.nanoTime());
    }

    private void end(Stage st) {
        double wall = (System.nanoTime() - st.t0()) / 1e9;
        spark.sparkContext().clearJobGroup();
        metrics.end(st.name());
        st.sampler().close();
        long[] heap = heapPeaks();
        StageRun run = st.run();
        done.add(new Done(st.name(), st.inPipeline(), wall, run.rowsIn, run.rowsInMeaning, run.rowsOut, run.rowsOutMeaning, heap[0],
                heap[1], st.sampler().max(), (processCpuNanos() - st.cpu0()) / 1e9));
        out.printf(Locale.ROOT, "[bench] %s: %.1f s%n", st.name(), wall);
    }

    private <T> T stage(String name, boolean inPipeline, Function<StageRun, T> body) {
        Stage st = begin(name, inPipeline);
        try {
            return body.apply(st.run());
        } finally {
            end(st);
        }
    }

    // ------------------------------------------------------------------ result

    private ObjectNode result(AppConfig config, List<TableReport> reports, List<LocalDate> dates, double[] loadBefore, double[] loadAfter,
                              Instant started, ObjectNode duck, ObjectNode calibration) {
        ObjectNode root = JSON.createObjectNode();
        root.put("benchmark", "customer-health pipeline (run) with the DuckDB feature comparison");
        root.put("date", LocalDate.now(java.time.ZoneOffset.UTC).toString());
        root.put("started_at", started.toString());
        root.put("commit", s.commit());
        ObjectNode scale = root.putObject("scale");
        scale.put("accounts", s.accounts());
        scale.put("months", s.months());
        scale.put("seed", s.seed());
        scale.put("run_date", s.runDate().toString());
        scale.put("as_of_dates", dates.size());
        scale.put("model_preset", config.model().name());
        ObjectNode inputs = scale.putObject("input_rows");
        ObjectNode rejected = scale.putObject("quarantined_rows");
        for (TableReport r : reports) {
            inputs.put(r.table(), r.rows());
            rejected.put(r.table(), r.rejected() + r.excludedAfterRunDate());
        }
        ObjectNode machine = root.putObject("machine");
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("spark_master", spark.sparkContext().master());
        machine.put("threads", s.threads());
        machine.put("heap_max_bytes", Runtime.getRuntime().maxMemory());
        machine.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        // The collectors in use (G1 and the parallel one differ by about 8% at 100k accounts).
        var collectors = machine.putArray("garbage_collectors");
        java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().forEach(g -> collectors.add(g.getName()));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        machine.put("spark", spark.version());
        machine.put("delta", deltaVersion());
        machine.put("shuffle_partitions", spark.conf().get("spark.sql.shuffle.partitions"));
        machine.put("files_max_partition_bytes", spark.conf().get("spark.sql.files.maxPartitionBytes"));
        machine.put("adaptive_execution", spark.conf().get("spark.sql.adaptive.enabled"));
        machine.put("whole_stage_codegen", spark.conf().get("spark.sql.codegen.wholeStage"));
        machine.set("load_average_before", JSON.valueToTree(loadBefore));
        machine.set("load_average_after", JSON.valueToTree(loadAfter));

        ArrayNode stages = root.putArray("stages");
        double pipeline = 0;
        double writes = 0;
        int writeCommands = 0;
        double sparkFeatures = Double.NaN;
        double sparkFeaturesCpu = Double.NaN;
        double duckCpu = Double.NaN;
        double writesOutside = 0;
        for (Done d : done) {
            StageMetrics.Totals t = metrics.totals(d.name());
            StageMetrics.WriteTime w = metrics.writeTime(d.name());
            ObjectNode n = stages.addObject();
            n.put("name", d.name());
            n.put("in_pipeline", d.inPipeline());
            n.put("wall_s", round3(d.wallSeconds()));
            boolean duckStage = d.name().startsWith("duckdb_features");
            n.put("rows_in", d.rowsIn() != null ? d.rowsIn() : t.scannedRows);
            n.put("rows_in_meaning", d.rowsIn() != null ? d.rowsInMeaning()
                    : "rows produced by the scans of the stage's SQL queries (files, cached inputs, checkpoints)");
            n.put("task_input_records", t.inputRecords);
            long written = t.outputRecords;
            n.put("rows_out", d.rowsOut() != null ? d.rowsOut() : written);
            n.put("rows_out_meaning", d.rowsOut() != null ? d.rowsOutMeaning() : "rows written by Spark tasks (Delta files)");
            n.put("rows_written", written);
            n.put("input_bytes", t.inputBytes);
            n.put("output_bytes", t.outputBytes);
            n.put("shuffle_read_bytes", t.shuffleReadBytes);
            n.put("shuffle_write_bytes", t.shuffleWriteBytes);
            n.put("memory_spill_bytes", t.memorySpillBytes);
            n.put("disk_spill_bytes", t.diskSpillBytes);
            n.put("peak_execution_memory_bytes", t.peakExecutionMemoryBytes);
            n.put("heap_peak_bytes", d.heapPeakBytes());
            n.put("old_gen_peak_bytes", d.oldGenPeakBytes());
            n.put("heap_used_max_sampled_bytes", d.heapSampledMaxBytes());
            n.put("process_cpu_s", round3(d.processCpuSeconds()));
            n.put("executor_cpu_share", t.executorRunMillis == 0 ? null : round3(t.executorCpuNanos / 1e6 / t.executorRunMillis));
            n.put("delta_write_s", round3(w.seconds()));
            n.put("delta_write_outside_queries_s", round3(w.outsideQueriesSeconds()));
            n.put("delta_write_commands", w.commands());
            n.set("delta_write_by_command", JSON.valueToTree(w.byCommand()));
            n.put("spark_jobs", t.jobs);
            n.put("spark_jobs_with_other_group", t.jobsWithOtherGroup);
            n.put("tasks", t.tasks);
            n.put("executor_run_s", round3(t.executorRunMillis / 1000.0));
            n.put("executor_cpu_s", round3(t.executorCpuNanos / 1e9));
            n.put("gc_s", round3(t.gcMillis / 1000.0));
            if (duckStage) {
                n.put("engine", "duckdb");
            }
            if (d.inPipeline()) {
                pipeline += d.wallSeconds();
                writes += w.seconds();
                writeCommands += w.commands();
                writesOutside += w.outsideQueriesSeconds();
            }
            if (d.name().equals("features")) {
                sparkFeatures = d.wallSeconds();
                sparkFeaturesCpu = d.processCpuSeconds();
            }
            if (d.name().equals("duckdb_features")) {
                duckCpu = d.processCpuSeconds();
            }
        }
        ObjectNode totals = root.putObject("pipeline");
        totals.put("stages", String.join(", ", done.stream().filter(Done::inPipeline).map(Done::name).toList()));
        totals.put("wall_s", round3(pipeline));
        totals.put("delta_write_s", round3(writes));
        totals.put("delta_write_outside_queries_s", round3(writesOutside));
        totals.put("delta_write_commands", writeCommands);
        totals.put("process_cpu_s", round3(done.stream().filter(Done::inPipeline).mapToDouble(Done::processCpuSeconds).sum()));
        totals.put("heap_peak_bytes", done.stream().filter(Done::inPipeline).mapToLong(Done::heapPeakBytes).max().orElse(0));
        totals.put("heap_used_max_sampled_bytes", done.stream().filter(Done::inPipeline).mapToLong(Done::heapSampledMaxBytes).max().orElse(0));
        totals.put("old_gen_peak_bytes", done.stream().filter(Done::inPipeline).mapToLong(Done::oldGenPeakBytes).max().orElse(0));
        totals.put("spill_bytes", done.stream().filter(Done::inPipeline)
                .mapToLong(d -> metrics.totals(d.name()).memorySpillBytes + metrics.totals(d.name()).diskSpillBytes).sum());

        root.put("pipeline_only", s.pipelineOnly());
        root.set("calibration", calibration);
        root.set("other_sql_executions", JSON.valueToTree(new java.util.TreeMap<>(metrics.otherExecutions())));
        if (s.pipelineOnly()) {
            return root;
        }
        double duckSeconds = duck.path("wall_s").asDouble(Double.NaN);
        duck.put("spark_features_s", round3(sparkFeatures));
        duck.put("spark_to_duckdb_ratio", round3(sparkFeatures / duckSeconds));
        duck.put("process_cpu_s", round3(duckCpu));
        duck.put("spark_features_process_cpu_s", round3(sparkFeaturesCpu));
        duck.put("spark_to_duckdb_cpu_ratio", round3(sparkFeaturesCpu / duckCpu));
        duck.put("target_ratio", 2.0);
        ObjectNode c = duck.putObject("comparison");
        c.put("sample_accounts", comparison.accounts());
        c.put("accounts_compared", comparison.accountsCompared());
        c.put("rows", comparison.rows());
        c.put("values_compared", comparison.valuesCompared());
        c.put("mismatches", comparison.mismatches());
        c.put("max_abs_diff", comparison.maxAbsDiff());
        c.put("tolerance", FeatureComparison.TOLERANCE);
        c.put("matched", comparison.matched());
        c.set("columns", JSON.valueToTree(comparison.columns()));
        c.set("examples", JSON.valueToTree(comparison.examples()));
        root.set("duckdb", duck);
        return root;
    }

    // ------------------------------------------------------------------ helpers

    private void requireWarehouse() {
        for (String table : DuckDbFeatures.TABLES) {
            if (!Files.isDirectory(s.warehouse().resolve(table))) {
                throw new IllegalArgumentException("No " + table + " table under " + s.warehouse()
                        + ": generate the warehouse first (jobs/bench.sh does, or `generate --out " + s.warehouse() + "`).");
            }
        }
    }

    private void resetWork() {
        try {
            if (Files.exists(s.work())) {
                try (var paths = Files.walk(s.work())) {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(s.work());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot reset the work folder " + s.work(), e);
        }
    }

    private Path duckTemp() {
        try {
            return Files.createDirectories(s.work().resolve("duckdb-tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void resetHeapPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
                pool.resetPeakUsage();
            }
        }
    }

    /** Sum of the heap pools' peaks since the reset (an upper bound of the heap used at any one moment), and the old generation's. */
    private static long[] heapPeaks() {
        long sum = 0;
        long old = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
                long peak = pool.getPeakUsage().getUsed();
                sum += peak;
                if (pool.getName().contains("Old") || pool.getName().contains("Tenured")) {
                    old = Math.max(old, peak);
                }
            }
        }
        return new long[] {sum, old};
    }

    /** CPU time of this JVM (every thread: Spark's driver and executors, DuckDB's workers, GC), or 0 when the JVM does not say. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? Math.max(0, os.getProcessCpuTime()) : 0;
    }

    /** 1, 5 and 15 minute load averages from /proc/loadavg (what uptime prints), else the JVM's 1-minute figure. */
    static double[] loadAverages() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (IOException | RuntimeException e) {
            return new double[] {ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()};
        }
    }

    private static String deltaVersion() {
        try {
            String jar = Path.of(io.delta.tables.DeltaTable.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .getFileName().toString();
            return jar.replaceAll("^delta-spark_[0-9.]+-", "").replaceAll("\\.jar$", "");
        } catch (Exception e) {
            return "unknown";
        }
    }

    static double round3(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : v;
    }

    static ObjectMapper json() {
        return JSON;
    }
}
