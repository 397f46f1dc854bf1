package com.customerhealth.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.Cli;
import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.OutputSettings;
import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.SnapshotImpl;
import io.delta.kernel.internal.actions.Protocol;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.utils.CloseableIterator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Every output table ({@link OutputTables#ALL}, so a table added later is checked too) is read by Delta Kernel, the
 * library other engines' Delta readers build on, with the same rows as Spark; and none needs more than Delta reader
 * version 1, the protocol DuckDB's delta extension, Trino's Delta connector and delta-rs (pandas) all read. A table that
 * gains a reader feature (deletion vectors, column mapping, v2 checkpoints, timestamp without time zone, variant ...)
 * fails here: enabling one locks some of those readers out, so it is a decision for docs/analysts.md, not a side effect.
 *
 * <p>The output is the fixture scored on 2024-06-30 (the score tables with Change Data Feed, the current table merged)
 * and every other table created from its definition; {@code -Dhealth.kernel.output=<output folder>} checks a real run's
 * output instead (e.g. after ./jobs/run-local.sh: output/delta).
 */
class DeltaKernelReadTest {
    private final SparkSession spark = TestSpark.session();

    @Test
    void everyOutputTableIsReadByDeltaKernelAtReaderVersionOne() throws IOException {
        String output = System.getProperty("health.kernel.output");
        if (output == null) {
            AppConfig fixture = FixtureWarehouse.standard().writeAndConfigure(spark, Map.of());
            Cli score = Cli.run(FixtureWarehouse.jobArgs(fixture, "score", "2024-06-30"));
            assertThat(score.code()).as(score.err()).isZero();
            output = fixture.output().path();
            DeltaTables tables = new DeltaTables(spark, new OutputSettings(output, null, null));
            for (OutputTable table : OutputTables.ALL) {
                tables.ensureCreated(table);
            }
        }
        Engine engine = DefaultEngine.create(new Configuration());
        List<String> lockedOut = new ArrayList<>();
        for (OutputTable table : OutputTables.ALL) {
            String path = output + "/" + table.name();
            Snapshot snapshot = TableManager.loadSnapshot(path).build(engine);
            Protocol protocol = ((SnapshotImpl) snapshot).getProtocol();
            if (protocol.getMinReaderVersion() > 1 || !protocol.getReaderFeatures().isEmpty()) {
                lockedOut.add(table.name() + ": reader version " + protocol.getMinReaderVersion() + ", reader features "
                        + protocol.getReaderFeatures());
            }
            long sparkRows = spark.read().format("delta").load(path).count();
            assertThat(kernelRows(engine, snapshot)).as("rows of %s read by Delta Kernel", table.name()).isEqualTo(sparkRows);
            assertThat(snapshot.getSchema().fieldNames()).as("columns of %s read by Delta Kernel", table.name())
                    .containsExactlyElementsOf(table.columnNames());
        }
        assertThat(lockedOut).as("tables other engines may not read (docs/analysts.md, 'Other engines')").isEmpty();
    }

    /** Reads every row of the snapshot as Kernel's readers do: its scan files, each file's Parquet, made logical. */
    private static long kernelRows(Engine engine, Snapshot snapshot) throws IOException {
        Scan scan = snapshot.getScanBuilder().build();
        Row state = scan.getScanState(engine);
        long rows = 0;
        try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(engine)) {
            while (files.hasNext()) {
                try (CloseableIterator<Row> scanFiles = files.next().getRows()) {
                    while (scanFiles.hasNext()) {
                        Row scanFile = scanFiles.next();
                        CloseableIterator<FileReadResult> physical = engine.getParquetHandler().readParquetFiles(
                                Utils.singletonCloseableIterator(InternalScanFileUtils.getAddFileStatus(scanFile)),
                                ScanStateRow.getPhysicalDataReadSchema(state), Optional.empty());
                        try (CloseableIterator<FilteredColumnarBatch> logical = Scan.transformPhysicalData(engine, state, scanFile,
                                physical.map(FileReadResult::getData))) {
                            while (logical.hasNext()) {
                                rows += selected(logical.next());
                            }
                        }
                    }
                }
            }
        }
        return rows;
    }

    private static long selected(FilteredColumnarBatch batch) {
        int size = batch.getData().getSize();
        if (batch.getSelectionVector().isEmpty()) {
            return size;
        }
        ColumnVector selection = batch.getSelectionVector().get();
        long n = 0;
        for (int i = 0; i < size; i++) {
            if (!selection.isNullAt(i) && selection.getBoolean(i)) {
                n++;
            }
        }
        return n;
    }
}
