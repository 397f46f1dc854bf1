package com.customerhealth.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.TestSpark;
import com.customerhealth.config.OutputSettings;
import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/**
 * job_runs' rows written: the commits of one job (its tag) since it started, read from the tables' history. Only the
 * history is read, so the tables here are any small Delta tables at the output tables' locations.
 */
class DeltaTablesRowsWrittenTest {
    private static final String TAG = "run-1/score";
    private static final String OTHER = "run-2/score";

    /** Its own session: the commit tag is a session setting, and other test classes run beside this one. */
    private final SparkSession spark = TestSpark.session().newSession();

    /** Appends {@code rows} rows (id 1..rows, batch = rows) in one commit tagged {@code tag}. */
    private void append(String location, String tag, int rows) {
        spark.conf().set("spark.databricks.delta.commitInfo.userMetadata", tag);
        spark.range(1, rows + 1).withColumn("batch", functions.lit(rows)).write().format("delta").mode("append").save(location);
    }

    @Test
    void theJobsOwnCommitsSinceItStartedAreSummedWhateverTheTablesHistoryBeforeIt() throws Exception {
        Path out = Files.createTempDirectory("rows-written-");
        DeltaTables tables = new DeltaTables(spark, new OutputSettings(out.toString(), null, null));
        String scores = tables.location(OutputTables.JOB_RUNS);
        String others = tables.location(OutputTables.REJECTED_ROWS);

        // Before the job: ten commits of another run, and one of an earlier try of this run id (same tag), 50 rows.
        for (int i = 0; i < 10; i++) {
            append(scores, OTHER, 1);
        }
        append(scores, TAG, 50);
        append(others, OTHER, 7);
        Thread.sleep(1100); // commit times are the log files' modification times: a clear second apart on any file system
        Instant started = Instant.now();
        Thread.sleep(1100);

        // The job: nine appends of 1..9 rows (45), more commits than the first history batch, with another run's two
        // commits of 100 rows in between, then an UPDATE of the 3-row batch (3 updated rows, 0 copied: one file).
        for (int rows = 1; rows <= 9; rows++) {
            append(scores, TAG, rows);
            if (rows == 4 || rows == 8) {
                append(scores, OTHER, 100);
            }
        }
        spark.conf().set("spark.databricks.delta.commitInfo.userMetadata", TAG);
        DeltaTable.forPath(spark, scores).update(functions.col("batch").equalTo(3), Map.of("batch", functions.lit(-3)));
        append(others, OTHER, 5); // written since the job started, but not by it

        assertThat(DeltaTables.HISTORY_BATCH).as("more commits since the start (12) than one history batch").isLessThan(12);
        assertThat(tables.rowsWrittenBy(TAG, started, List.of(OutputTables.JOB_RUNS, OutputTables.REJECTED_ROWS, OutputTables.ACCOUNT_HEALTH_SCORES)))
                .containsExactly(Map.entry(OutputTables.JOB_RUNS.name(), 45L + 3L));
    }
}
