package com.customerhealth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.Cli;
import com.customerhealth.TestSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole pipeline on the committed sample warehouse ({@code data-sample/}), as the integration
 * tests run it: {@code run --run-date 2026-09-30 --conf conf/local.conf}, calibration trimmed to a few
 * bootstrap replicates and folds so a run takes about a minute and a half. The reference is that run
 * in this JVM's local session, once per JVM; the cluster and JDBC runs are compared with it.
 */
public final class SampleRun {
    /** The sample warehouse's last day: the run date of every integration run. */
    public static final String RUN_DATE = "2026-09-30";

    private static Path reference;

    private SampleRun() {
    }

    /**
     * The job arguments of a whole-pipeline run on the sample into {@code output}: the local conf, no
     * catalog database, a fixed run id and the trimmed calibration. Add source overrides after them.
     */
    public static List<String> runArgs(Path output) {
        return new ArrayList<>(List.of("run", "--run-date", RUN_DATE, "--run-id", "it-" + RUN_DATE,
                "--conf", Path.of("conf/local.conf").toAbsolutePath().toString(),
                "--set", "input.root=" + Path.of("data-sample/warehouse").toAbsolutePath(),
                "--set", "output.path=" + output.toAbsolutePath(),
                "--set", "output.database=",
                "--set", "calibration.bootstrap-replicates=8",
                "--set", "calibration.folds=3",
                "--set", "calibration.reg-params=[0.01]"));
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
