package com.customerhealth.validate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.JobFailure;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.ValidationSettings;
import com.customerhealth.contract.ColumnSpec;
import com.customerhealth.contract.TableSpec;
import com.customerhealth.io.OutputTables;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Validates a warehouse table against the input contract.
 *
 * <p>Table-level problems stop the job with exit 3 and a message naming the table, column and
 * rule: a column whose type cannot be read as the contract type ({@code readable_type}), a null
 * key ({@code key_not_null}), a duplicated key ({@code unique_key}).
 *
 * <p>Row-level problems quarantine the row: it goes to {@code rejected_rows} with its rule and
 * column and the row as read, as JSON. Nothing is dropped silently.
 */
public final class InputValidator {
    /** Prefix of the source value kept for a column that is cast to its contract type. */
    private static final String SOURCE_PREFIX = "_src_";
    /** The staged rows' partition column: whether the row is clean. */
    private static final String CLEAN = "_clean";
    /** The key check's 64-bit hash of a row's key. */
    private static final String HASH = "_key_hash";
    /** Prefix of the key check's count of rows whose key column is null. */
    private static final String NULL_PREFIX = "_null_";
    private final ValidationSettings settings;
    private final boolean persist;
    private final LocalDate runDate;
    private final String runId;

    private final StagingArea staging;

    /** @param staging where validated rows are staged as Parquet (persist on), or null: a local checkpoint keeps them */
    InputValidator(AppConfig config, LocalDate runDate, String runId, StagingArea staging) {
        this.settings = config.validation();
        this.persist = config.input().persist();
        this.runDate = runDate;
        this.runId = runId;
        this.staging = staging;
    }

    /**
     * Validates one table (under contract column names, as {@code WarehouseReader} gives it).
     *
     * @param knownAccountIds distinct {@code account_id} of the accounts table, or null when
     *                        validating accounts itself
     */
    public Validated validate(TableSpec spec, Dataset<Row> contractNamed, Dataset<Row> knownAccountIds) {
        Dataset<Row> typed = typed(spec, contractNamed);
        List<String> typedColumns = List.of(typed.columns());

        List<RowRule> rules = new ArrayList<>();
        for (ColumnSpec c : spec.columns()) {
            if (isCast(typedColumns, c.name())) {
                // A value present in the source that does not parse as the contract type.
                rules.add(new RowRule("unparseable_value", c.name(), source(typedColumns, c.name()).isNotNull().and(col(c.name()).isNull())));
            }
        }
        for (ColumnSpec c : spec.columns()) {
            if (!c.nullable() && !spec.key().contains(c.name())) {
                rules.add(new RowRule("null_required_value", c.name(), source(typedColumns, c.name()).isNull()));
            }
        }
        if (knownAccountIds != null) {
            rules.add(new RowRule("unknown_account", "account_id", col("account_id").isNotNull().and(col("_known_account").isNull())));
            typed = typed.join(knownAccountIds.select(col("account_id"), lit(true).as("_known_account")), "account_id", "left");
        }
        rules.addAll(RowRules.forTable(spec, settings));
        Column afterRunDate = spec.eventDateColumn().map(c -> col(c).gt(lit(Date.valueOf(runDate)))).orElse(lit(false));
        if (settings.quarantineRowsAfterRunDate() && spec.eventDateColumn().isPresent()) {
            rules.add(new RowRule("date_after_run_date", spec.eventDateColumn().get(), afterRunDate));
        }

        Column[] checks = rules.stream()
                .map(r -> when(r.violated(), struct(lit(r.rule()).as("rule"), lit(r.column()).as("column"))))
                .toArray(Column[]::new);
        Column excluded = settings.quarantineRowsAfterRunDate() ? lit(false) : coalesce(afterRunDate, lit(false));
        // Only what the counts, the rejected rows and the clean rows read: the contract columns, the source values
        // of the cast columns (for row_json), the violations.
        List<Column> kept = new ArrayList<>();
        for (String c : typed.columns()) {
            if (spec.columnNames().contains(c) || c.startsWith(SOURCE_PREFIX)) {
                kept.add(col(c));
            }
        }
        kept.add(array_compact(array(checks)).as("_violations"));
        kept.add(excluded.as("_excluded"));
        Dataset<Row> checked = typed.select(kept.toArray(Column[]::new));
        if (persist && staging != null) {
            checked = stage(checked, staging.tableFolder(spec.name()));
        } else if (persist) {
            // One read of the source: the key check fills a local checkpoint (memory, spilling to disk) that the counts,
            // rejected rows and clean rows then read. Unlike a cache, a lost block is never recomputed from the source,
            // so a source that changes during the run cannot give the run a mix of old and new rows: the run fails instead.
            checked = checked.localCheckpoint(false);
        }

        TableReport report = checkKeysAndCount(spec, checked, rules.stream().map(RowRule::rule).distinct().toList(),
                functions::xxhash64);

        Column firstViolation = try_element_at(col("_violations"), lit(1));
        Dataset<Row> rejected = checked
                .where(col("_excluded").equalTo(false).and(size(col("_violations")).gt(0)))
                .select(
                        lit(runId).as("run_id"),
                        lit(Date.valueOf(runDate)).as("run_date"),
                        lit(spec.name()).as("table_name"),
                        firstViolation.getField("rule").as("rule"),
                        firstViolation.getField("column").as("column_name"),
                        transform(col("_violations"), v -> concat(v.getField("rule"), lit(":"), v.getField("column"))).as("violations"),
                        to_json(struct(spec.columnNames().stream().map(c -> source(typedColumns, c).as(c)).toArray(Column[]::new)))
                                .as("row_json"));
        Dataset<Row> clean = checked
                .where(persist && staging != null ? col(CLEAN) : col("_excluded").equalTo(false).and(size(col("_violations")).equalTo(0)))
                .select(spec.columnNames().stream().map(c -> col(c)).toArray(Column[]::new));
        return new Validated(clean, OutputTables.REJECTED_ROWS.conform(rejected), report, persist ? checked : null);
    }

    /**
     * Writes the checked rows once, as Parquet split by whether a row is clean (so the jobs' reads of the clean rows skip
     * the others' files), and returns them as read back. The run's one read of the source: every later step reads these
     * files, column by column, and never the source again, so a source that changes during the run does not reach it.
     */
    private static Dataset<Row> stage(Dataset<Row> checked, String folder) {
        Dataset<Row> rows = checked.withColumn(CLEAN, col("_excluded").equalTo(false).and(size(col("_violations")).equalTo(0)));
        rows.write().mode("overwrite").partitionBy(CLEAN).parquet(folder);
        // The schema is known: read back without inferring it from the files (and the partition column as boolean).
        return checked.sparkSession().read().schema(rows.schema()).parquet(folder);
    }

    /** A validated table: clean rows, quarantined rows, the counts, and the persisted frame (or null) to release. */
    public record Validated(Dataset<Row> clean, Dataset<Row> rejected, TableReport report, Dataset<Row> persisted) {
    }

    /**
     * The schema half of validation, for a dry run: every column's type can be read as its contract type.
     * Analyses the typed projection only; no row is read.
     */
    public static void checkSchema(TableSpec spec, Dataset<Row> contractNamed) {
        typed(spec, contractNamed).schema();
    }

    /**
     * Casts each column to its contract type. A column whose source type differs keeps its source value as
     * {@code _src_<column>} (what a rejected row shows, and how an unparseable value is told from a null);
     * a column already of its contract type is its own source value, so nothing is copied (Parquet inputs
     * usually have the contract's types: the validated rows are then kept once, not twice).
     */
    private static Dataset<Row> typed(TableSpec spec, Dataset<Row> contractNamed) {
        Map<String, DataType> sourceTypes = new LinkedHashMap<>();
        for (var f : contractNamed.schema().fields()) {
            sourceTypes.put(f.name(), f.dataType());
        }
        List<Column> projection = new ArrayList<>();
        for (ColumnSpec c : spec.columns()) {
            DataType from = sourceTypes.get(c.name());
            if (!readable(from, c.type())) {
                throw JobFailure.badInput("Table " + spec.name() + ", column " + c.name() + " has type " + from.simpleString()
                                + " which cannot be read as " + c.type().simpleString() + " (rule: readable_type): "
                                + "convert it in the source or map another column in input.tables." + spec.name() + ".columns.",
                        "Contract: " + spec.name() + "." + c.name() + " " + c.type().simpleString() + " - " + c.meaning());
            }
            Column source = col(c.name());
            if (from.equals(c.type())) {
                projection.add(source);
            } else {
                projection.add(source.try_cast(c.type()).as(c.name()));
                projection.add(source.as(SOURCE_PREFIX + c.name()));
            }
        }
        return contractNamed.select(projection.toArray(Column[]::new));
    }

    private static boolean isCast(List<String> typedColumns, String column) {
        return typedColumns.contains(SOURCE_PREFIX + column);
    }

    /** The value as the source gave it ({@code typedColumns}: the columns of {@link #typed}). */
    private static Column source(List<String> typedColumns, String column) {
        return col(isCast(typedColumns, column) ? SOURCE_PREFIX + column : column);
    }

    /** Whether a source type can be read as the contract type (per-value failures are quarantined). */
    static boolean readable(DataType from, DataType to) {
        if (from.equals(to) || from instanceof StringType || from instanceof org.apache.spark.sql.types.NullType) {
            return true;
        }
        if (to instanceof NumericType) {
            return from instanceof NumericType;
        }
        if (to instanceof DateType) {
            return from instanceof TimestampType || from instanceof TimestampNTZType;
        }
        if (to instanceof BooleanType) {
            return from instanceof BooleanType;
        }
        if (to instanceof StringType) {
            return from instanceof NumericType || from instanceof DateType;
        }
        return false;
    }

    /**
     * The table rules on the key and the counts by rule. The counts (by status: the first rule a row broke, excluded, or ok)
     * and each key column's nulls are one aggregation of the rows, no shuffle. Duplicates: the keys of the rows with a whole
     * key are hashed to 64 bits and counted per hash, a shuffle of two longs a row (counting by the key itself with every
     * status count took 59 s of tasks on 100,000 accounts' 38.9M usage rows). A hash shared by two rows is then checked on
     * those rows' keys, so only a true duplicate fails the run: a collision (a chance of about 4 in 100,000 among 40M keys)
     * costs one more query. Only then are the five largest duplicates fetched for the message.
     *
     * @param hash the key columns' hash: xxhash64; a test gives every key the same one
     */
    static TableReport checkKeysAndCount(TableSpec spec, Dataset<Row> checked, List<String> rules, Function<Column[], Column> hash) {
        List<String> key = spec.key();
        Column status = when(col("_excluded"), lit("_excluded"))
                .otherwise(coalesce(try_element_at(col("_violations"), lit(1)).getField("rule"), lit("_ok")));
        List<String> statuses = new ArrayList<>(List.of("_ok", "_excluded"));
        statuses.addAll(rules);
        List<Column> totals = new ArrayList<>();
        for (String k : key) {
            totals.add(count_if(col(k).isNull()).as(NULL_PREFIX + k));
        }
        for (int i = 0; i < statuses.size(); i++) {
            totals.add(count_if(status.equalTo(statuses.get(i))).as("_s" + i));
        }
        Row t = checked.agg(totals.get(0), totals.subList(1, totals.size()).toArray(Column[]::new)).first();

        List<String> counts = new ArrayList<>();
        List<String> contract = new ArrayList<>();
        for (String k : key) {
            long nulls = t.<Long>getAs(NULL_PREFIX + k);
            if (nulls > 0) {
                counts.add("column " + k + (counts.isEmpty() ? " is null or unreadable" : "") + " in " + nulls + " row(s)");
                contract.add(spec.name() + "." + k + " " + spec.column(k).type().simpleString());
            }
        }
        if (!counts.isEmpty()) {
            throw JobFailure.badInput("Table " + spec.name() + ", " + String.join(", ", counts) + " (rule: key_not_null): "
                    + "every row needs its key " + key + ".", "Contract: " + String.join(", ", contract));
        }
        Column[] keyColumns = key.stream().map(k -> col(k)).toArray(Column[]::new);
        Column keyHash = hash.apply(keyColumns);
        Dataset<Row> byHash = checked.groupBy(keyHash.as(HASH)).agg(count(lit(1)).as("_n"));
        if (byHash.agg(count_if(col("_n").gt(1))).first().getLong(0) > 0) {
            Dataset<Row> shared = byHash.where(col("_n").gt(1)).select(HASH); // as many rows as duplicated keys, at most
            Dataset<Row> byKey = checked.withColumn(HASH, keyHash).join(shared, HASH)
                    .groupBy(keyColumns).agg(count(lit(1)).as("_n"))
                    .where(col("_n").gt(1));
            List<Row> largest = byKey.orderBy(col("_n").desc()).limit(5).collectAsList();
            if (!largest.isEmpty()) {
                String examples = largest.stream()
                        .map(r -> key.stream().map(k -> String.valueOf((Object) r.getAs(k))).collect(Collectors.joining(", ", "(", ")"))
                                + " x" + r.<Long>getAs("_n"))
                        .collect(Collectors.joining("; "));
                throw JobFailure.badInput("Table " + spec.name() + ", column " + String.join(", ", key)
                                + " has duplicate keys (rule: unique_key), e.g. " + examples + ": deduplicate the source.",
                        "The key of " + spec.name() + " is " + key + "; first duplicates: " + examples);
            }
        }
        Map<String, Long> byRule = new java.util.TreeMap<>(); // by rule name, as the report listed them
        long rows = 0;
        for (int i = 0; i < statuses.size(); i++) {
            long n = t.<Long>getAs("_s" + i);
            rows += n;
            if (i >= 2 && n > 0) {
                byRule.merge(statuses.get(i), n, Long::sum);
            }
        }
        long excluded = t.<Long>getAs("_s1");
        long rejected = byRule.values().stream().mapToLong(Long::longValue).sum();
        return new TableReport(spec.name(), rows, rejected, excluded, new LinkedHashMap<>(byRule));
    }
}
