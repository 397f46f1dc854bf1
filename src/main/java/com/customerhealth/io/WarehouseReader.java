package com.customerhealth.io;

import com.customerhealth.JobFailure;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.SourceConfig;
import com.customerhealth.contract.ColumnSpec;
import com.customerhealth.contract.TableSpec;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Reads one warehouse table from its configured source and presents it under contract column
 * names, untyped-checked: the {@link com.customerhealth.validate.InputValidator} does the typing.
 * Extra warehouse columns are dropped; a missing nullable column is added as nulls; a missing
 * required column stops the job (exit 3) naming the table and column.
 */
public final class WarehouseReader {
    private final SparkSession spark;
    private final AppConfig config;

    public WarehouseReader(SparkSession spark, AppConfig config) {
        this.spark = spark;
        this.config = config;
    }

    /** The table under contract names, or empty when an optional table is configured absent. */
    public Optional<Dataset<Row>> read(TableSpec spec) {
        SourceConfig source = config.source(spec.name());
        if (source.type() == SourceConfig.Type.NONE) {
            return Optional.empty();
        }
        Dataset<Row> raw = load(source);
        return Optional.of(toContractNames(spec, source, raw));
    }

    private Dataset<Row> load(SourceConfig source) {
        try {
            return switch (source.type()) {
                case PATH -> {
                    DataFrameReader reader = spark.read().format(source.format());
                    if (source.format().equals("csv")) {
                        // Read CSV as text: the validator casts each value and quarantines the ones that do not parse.
                        reader = reader.option("header", "true").option("inferSchema", "false");
                    }
                    yield reader.options(source.options()).load(source.path());
                }
                case CATALOG -> spark.table(source.catalogName());
                case JDBC -> spark.read().format("jdbc")
                        // A TIMESTAMP WITHOUT TIME ZONE is a wall-clock time: read it as such, so its date is the
                        // warehouse's date. Read as an instant, the driver would place it in the JVM's zone and
                        // the cast to a date (in UTC) would move evening rows to the next day on any host not
                        // running in UTC. Zoned types (timestamptz) stay instants. The conf can override it.
                        .option("preferTimestampNTZ", "true")
                        .options(source.options())
                        .option("url", source.jdbcUrl())
                        .option("dbtable", source.jdbcTable())
                        .option("user", source.jdbcUser())
                        .option("password", password(source))
                        .load();
                case NONE -> throw new IllegalStateException("absent table");
            };
        } catch (JobFailure e) {
            throw e;
        } catch (Exception e) { // Spark raises AnalysisException (checked in Java's eyes) without declaring it
            String advice = "Check input.tables." + source.table() + " in your conf.";
            if (source.type() == SourceConfig.Type.JDBC && JobFailure.firstLine(e).contains("timestamp_ntz")) {
                advice = "A TIMESTAMP WITHOUT TIME ZONE column cannot be the partitionColumn: partition on a DATE or numeric column, "
                        + "or set input.tables." + source.table() + ".options.preferTimestampNTZ = false and run the driver and "
                        + "executors in UTC (-Duser.timezone=UTC).";
            }
            throw unreadable(source, "cannot be read from", e, advice);
        }
    }

    /**
     * A source that failed to read, as one headline naming it: the table, where it is read from, why, and
     * {@code advice}. When a JDBC driver raised the error, "why" is the database's own words (Spark wraps
     * them in a stage failure or in the query it sent). The source's password is masked should a driver
     * ever echo it.
     */
    public static JobFailure unreadable(SourceConfig source, String failed, Throwable e, String advice) {
        String why = reason(e);
        while (why.endsWith(".")) {
            why = why.substring(0, why.length() - 1);
        }
        return new JobFailure(JobFailure.BAD_INPUT,
                source.mask("Table " + source.table() + " " + failed + " " + source.describe() + ": " + why + ". " + advice),
                source.mask(e.toString()), e);
    }

    /** The first line of the outermost SQLException in the chain, else of the exception itself. */
    private static String reason(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 20; t = t.getCause(), depth++) {
            if (t instanceof SQLException) {
                return JobFailure.firstLine(t);
            }
        }
        return JobFailure.firstLine(e);
    }

    private static String password(SourceConfig source) {
        // Presence was checked when the config was loaded; the value is never logged or printed.
        return System.getenv(source.passwordEnv());
    }

    private static Dataset<Row> toContractNames(TableSpec spec, SourceConfig source, Dataset<Row> raw) {
        Map<String, String> byLowerName = new HashMap<>();
        for (String c : raw.columns()) {
            byLowerName.put(c.toLowerCase(java.util.Locale.ROOT), c);
        }
        List<Column> projection = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (ColumnSpec c : spec.columns()) {
            String warehouseName = source.columns().getOrDefault(c.name(), c.name());
            String actual = byLowerName.get(warehouseName.toLowerCase(java.util.Locale.ROOT));
            if (actual != null) {
                projection.add(raw.col(quote(actual)).as(c.name()));
            } else if (c.nullable()) {
                projection.add(functions.lit(null).cast(c.type()).as(c.name()));
            } else {
                missing.add(c.name() + (warehouseName.equals(c.name()) ? "" : " (mapped to " + warehouseName + ")"));
            }
        }
        if (!missing.isEmpty()) {
            throw JobFailure.badInput("Table " + spec.name() + " is missing required column " + String.join(", ", missing)
                            + " (rule: required_column): add it or map it in input.tables." + spec.name() + ".columns.",
                    "Source: " + source.describe() + "; columns found: " + String.join(", ", raw.columns()));
        }
        return raw.select(projection.toArray(Column[]::new));
    }

    private static String quote(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}
