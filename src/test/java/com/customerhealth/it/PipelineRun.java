package com.customerhealth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.Cli;
import com.customerhealth.TestSpark;
import com.customerhealth.generate.WarehouseGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole pipeline as the integration tests run it: {@code run --run-date 2026-09-30 --conf conf/local.conf}
 * on a warehouse the product's generator writes once per JVM ({@link #warehouse}), with calibration trimmed
 * to a few bootstrap replicates and folds. The reference is that run in this JVM's local session, once per
 * JVM; the cluster and JDBC runs are compared with it.
 *
 * <p>The warehouse is the committed sample's, smaller: the same generator and seed ({@code GeneratorTest}
 * checks the sample is its output), 600 accounts over 30 months instead of 2,000 over 36. Every output
 * table still gets rows, and calibration still fits a segment of its own (with the churn-event minimums
 * at 20, as {@code CalibrateJobTest}'s), so every job's code runs on the cluster and over JDBC; a run
 * takes about two thirds of the sample's time and CPU (65 s and 108 s of CPU against 98 s and 164 s through
 * the launcher).
 */
public final class PipelineRun {
    /** The warehouse's last day: the run date of every integration run. */
    public static final String RUN_DATE = "2026-09-30";
    private static final long SEED = 42;
    private static final int ACCOUNTS = 600;
    private static final int MONTHS = 30;

    /**
     * The integration runs' calibration settings: a few bootstrap replicates and folds, one regularisation, and churn-event
     * minimums this warehouse meets (global and one segment's fit).
     */
    public static final List<String> TRIMMED_CALIBRATION = List.of(
            "--set", "calibration.bootstrap-replicates=8",
            "--set", "calibration.folds=3",
            "--set", "calibration.reg-params=[0.01]",
            "--set", "calibration.min-churn-events=20",
            "--set", "calibration.segment-min-churn-events=20");

    private static Path warehouse;
    private static Path reference;

    private PipelineRun() {
    }

    /** The generated warehouse (Parquet, one folder per table), written on first use. */
    public static synchronized Path warehouse() {
        if (warehouse == null) {
            Path root = tempDir("health-it-warehouse");
            new WarehouseGenerator(TestSpark.session(), SEED, ACCOUNTS, MONTHS, LocalDate.parse(RUN_DATE))
                    .write(root.toString(), "parquet");
            warehouse = root;
        }
        return warehouse;
    }

    /**
     * The job arguments of a whole-pipeline run on {@link #warehouse} into {@code output}: the local conf, no
     * catalog database, a fixed run id and the trimmed calibration. Add source overrides after them.
     */
    public static List<String> runArgs(Path output) {
        List<String> args = new ArrayList<>(List.of("run", "--run-date", RUN_DATE, "--run-id", "it-" + RUN_DATE,
                "--conf", Path.of("conf/local.conf").toAbsolutePath().toString(),
                "--set", "input.root=" + warehouse().toAbsolutePath(),
                "--set", "output.path=" + output.toAbsolutePath(),
                "--set", "output.database="));
        args.addAll(TRIMMED_CALIBRATION);
        return args;
    }

    /** The output folder of the reference run (this JVM's local session), run on first use. */
    public static synchronized Path reference() {
        if (reference == null) {
            TestSpark.session(); // the CLI's getOrCreate picks up the shared local session (it sets no master)
            Path output = tempDir("health-it-reference");
            Cli run = Cli.run(runArgs(output).toArray(String[]::new));
            assertThat(run.code()).as("reference run failed:%n%s%n%s", run.out(), run.err()).isZero();
            reference = output;
        }
        return reference;
    }

    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
