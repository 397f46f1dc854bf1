package com.customerhealth.io;

import com.customerhealth.config.AppConfig;
import io.delta.tables.DeltaTable;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes and reads the output Delta tables. Every write is one Delta commit, so readers see the
 * table before or after it, never half of it; every write is idempotent.
 *
 * <p>Two modes, from {@code output} in conf: with a path, each table is {@code <path>/<table>} and is
 * also registered in {@code output.database} when one is set; without a path, each table is a
 * catalog-managed table {@code <database>.<table>} (Databricks, Unity Catalog, a Hive metastore).
 */
public final class DeltaTables {
    private static final Logger LOG = LoggerFactory.getLogger(DeltaTables.class);

    private final SparkSession spark;
    private final AppConfig.Output output;

    public DeltaTables(SparkSession spark, AppConfig.Output output) {
        this.spark = spark;
        this.output = output;
    }

    private boolean byPath() {
        return output.path() != null;
    }

    /** Folder of a table's Delta log and files (path mode). */
    public String location(OutputTable table) {
        if (!byPath()) {
            throw new IllegalStateException("output.path is not set: tables are managed by the catalog");
        }
        return output.path() + "/" + table.name();
    }

    /** Catalog name of a table, e.g. {@code default.account_health_scores}, or null when not registered. */
    public String qualifiedName(OutputTable table) {
        return output.database() == null ? null : "`" + output.database() + "`.`" + table.name() + "`";
    }

    /** Where a table is, for people: its path, or its catalog name. */
    public String describe(OutputTable table) {
        return byPath() ? location(table) : output.database() + "." + table.name();
    }

    public boolean exists(OutputTable table) {
        return byPath() ? DeltaTable.isDeltaTable(spark, location(table))
                : spark.catalog().tableExists(output.database(), table.name());
    }

    public Dataset<Row> read(OutputTable table) {
        return byPath() ? spark.read().format("delta").load(location(table)) : spark.read().table(qualifiedName(table));
    }

    /**
     * Replaces exactly the rows matching {@code predicate} with {@code rows} in one commit (Delta
     * replaceWhere): re-running the same date gives the same table, other dates are untouched.
     * Every row written must match the predicate, which Delta checks.
     */
    public void replaceWhere(OutputTable table, Dataset<Row> rows, String predicate) {
        DataFrameWriter<Row> writer = table.conform(rows).write().format("delta").mode("overwrite").option("replaceWhere", predicate);
        if (table.partitionColumn().isPresent()) {
            writer = writer.partitionBy(table.partitionColumn().get());
        }
        save(table, writer);
        LOG.info("Wrote {} where {}", describe(table), predicate);
    }

    /** Replaces one partition value (a date) of a partitioned table. */
    public void replacePartition(OutputTable table, Dataset<Row> rows, String dateValue) {
        String column = table.partitionColumn().orElseThrow(() -> new IllegalArgumentException(table.name() + " is not partitioned"));
        replaceWhere(table, rows, column + " = DATE'" + dateValue + "'");
    }

    /** Predicate {@code column IN ('a', 'b')} for replaceWhere. */
    public static String in(String column, Collection<String> values) {
        return column + " IN (" + values.stream().map(v -> "'" + v.replace("'", "''") + "'").collect(Collectors.joining(", ")) + ")";
    }

    /**
     * Upserts rows by key in one MERGE commit; an existing row is replaced only when the incoming
     * row's {@code versionColumn} is the same or newer, so back-filling an older date never
     * overwrites a newer row and re-running a date changes nothing.
     */
    public void mergeNewest(OutputTable table, Dataset<Row> rows, List<String> key, String versionColumn) {
        Dataset<Row> conformed = table.conform(rows);
        if (!exists(table)) {
            // First write: create the table from the incoming rows in one commit.
            save(table, conformed.write().format("delta").mode("errorifexists"));
        } else {
            String on = key.stream().map(k -> "t." + k + " = s." + k).collect(Collectors.joining(" AND "));
            DeltaTable target = byPath() ? DeltaTable.forPath(spark, location(table)) : DeltaTable.forName(spark, qualifiedName(table));
            target.as("t")
                    .merge(conformed.as("s"), on)
                    .whenMatched("s." + versionColumn + " >= t." + versionColumn).updateAll()
                    .whenNotMatched().insertAll()
                    .execute();
        }
        LOG.info("Merged into {} on {}", describe(table), key);
    }

    private void save(OutputTable table, DataFrameWriter<Row> writer) {
        if (output.database() != null) {
            spark.sql("CREATE DATABASE IF NOT EXISTS `" + output.database() + "`");
        }
        if (byPath()) {
            writer.save(location(table));
            if (output.database() != null) {
                spark.sql("CREATE TABLE IF NOT EXISTS " + qualifiedName(table) + " USING DELTA LOCATION '"
                        + location(table).replace("'", "\\'") + "'");
            }
        } else {
            writer.saveAsTable(qualifiedName(table));
        }
    }
}
