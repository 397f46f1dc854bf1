package com.customerhealth.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.customerhealth.JobFailure;
import com.customerhealth.TestSpark;
import com.customerhealth.config.OutputSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Two first runs at once: each finds an output table missing and creates it. The other run is played between this
 * run's attempts ({@link DeltaTables#beforeCreateAttempt}): first its CREATE under way (its log folder made, no commit
 * yet: Spark's CREATE TABLE IF NOT EXISTS then takes the path for a table and does nothing), then its first commit landing,
 * written as another process would, past this JVM's Delta log cache.
 */
class DeltaTablesCreateTest {
    private final SparkSession spark = TestSpark.session();

    /** The state another run's CREATE is in after making the table's log folder and before its first commit. */
    private static void otherRunCreating(Path out) {
        try {
            Files.createDirectories(out.resolve(OutputTables.JOB_RUNS.name()).resolve("_delta_log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The other run's CREATE commits: its first commit file appears in the table's log folder. */
    private void otherRunCommits(Path out) {
        try {
            Path elsewhere = Files.createTempDirectory("other-run-");
            new DeltaTables(spark, new OutputSettings(elsewhere.toString(), null, null)).ensureCreated(OutputTables.JOB_RUNS);
            String first = "00000000000000000000.json";
            Files.copy(elsewhere.resolve(OutputTables.JOB_RUNS.name()).resolve("_delta_log").resolve(first),
                    out.resolve(OutputTables.JOB_RUNS.name()).resolve("_delta_log").resolve(first));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aTableAnotherRunIsCreatingIsCheckedAgainAndUsedOnceItIsThere() throws IOException {
        Path out = Files.createTempDirectory("create-race-");
        DeltaTables us = new DeltaTables(spark, new OutputSettings(out.toString(), "create_race", null));
        List<Integer> attempts = new ArrayList<>();
        us.beforeCreateAttempt = attempt -> {
            attempts.add(attempt);
            if (attempt == 1) {
                otherRunCreating(out);
            } else if (attempt == 2) {
                otherRunCommits(out);
            }
        };

        us.ensureCreated(OutputTables.JOB_RUNS);

        assertThat(attempts).containsExactly(1, 2);
        String description = spark.sql("DESCRIBE DETAIL delta.`" + us.location(OutputTables.JOB_RUNS) + "`").first().getAs("description");
        assertThat(description).isEqualTo(OutputTables.JOB_RUNS.comment());
        assertThat(spark.catalog().tableExists("create_race", "job_runs")).isTrue();
        assertThat(spark.table("create_race.job_runs").columns()).containsExactly(OutputTables.JOB_RUNS.schema().fieldNames());
    }

    @Test
    void aLogFolderThatNeverGetsItsFirstCommitFailsInOneLineNamingTheTableAndTheFix() throws IOException {
        Path out = Files.createTempDirectory("create-stuck-");
        DeltaTables us = new DeltaTables(spark, new OutputSettings(out.toString(), null, null));
        List<Integer> attempts = new ArrayList<>();
        us.beforeCreateAttempt = attempt -> {
            attempts.add(attempt);
            otherRunCreating(out);
        };

        String table = us.location(OutputTables.JOB_RUNS);
        assertThatThrownBy(() -> us.ensureCreated(OutputTables.JOB_RUNS)).isInstanceOfSatisfying(JobFailure.class, f -> {
            assertThat(f.exitCode()).isEqualTo(1);
            assertThat(f.getMessage()).isEqualTo("Table " + table + " is being created by another run and was still not there after "
                    + DeltaTables.CREATE_ATTEMPTS + " attempts: re-run when the other run is done; if none is running, one was "
                    + "stopped while creating it: delete " + table + "/_delta_log, which holds no commit, and re-run.");
        });
        assertThat(attempts).containsExactly(1, 2, 3, 4);
    }
}
