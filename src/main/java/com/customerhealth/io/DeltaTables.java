package com.customerhealth.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import com.customerhealth.JobFailure;
import com.customerhealth.config.OutputSettings;
import io.delta.tables.DeltaTable;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
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

    /** Attempts of a write whose commit lost to another writer's (Delta's optimistic concurrency). */
    static final int COMMIT_ATTEMPTS = 4;
    private static final long COMMIT_PAUSE_MS = 200;
    /** Attempts to create a table that another run is creating at the same time. */
    static final int CREATE_ATTEMPTS = 4;
    /** A CREATE takes longer than a commit's retry (several files on an object store): look again less often. */
    private static final long CREATE_PAUSE_MS = 500;

    private final SparkSession spark;
    private final OutputSettings output;
    private final FaultPoint faults;
    private final java.util.Set<String> created = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Tests only: runs before each attempt to create a table, given the attempt's number, so a test can play another run. */
    java.util.function.IntConsumer beforeCreateAttempt = attempt -> { };

    public DeltaTables(SparkSession spark, OutputSettings output) {
        this(spark, output, FaultPoint.NONE);
    }

    public DeltaTables(SparkSession spark, OutputSettings output, FaultPoint faults) {
        this.spark = spark;
        this.output = output;
        this.faults = faults;
    }

    /** The fault point of the fault tests this writer pauses at (conf testing), or FaultPoint.NONE. */
    public FaultPoint faults() {
        return faults;
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

    /**
     * Creates a table that does not exist yet, empty, from its definition: the columns with their comments,
     * the partition column, the table comment and its properties (Change Data Feed on the scores tables),
     * so the first write already lands in a documented table. Idempotent; checked once per table and
     * instance.
     *
     * <p>Two first runs at once both find the table missing. Creating it races like a write, and is retried
     * like one: when the other run got there first (its commit, its catalog entry, or its log folder before
     * its first commit), this run looks again after a pause, and uses the table the other run made.
     */
    void ensureCreated(OutputTable table) {
        if (created.contains(table.name())) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            beforeCreateAttempt.accept(attempt);
            try {
                createOrUpdate(table);
                break;
            } catch (RuntimeException e) {
                if (!creationRace(e)) {
                    throw e;
                }
                if (attempt == CREATE_ATTEMPTS) {
                    throw new JobFailure(1, "Table " + describe(table) + " is being created by another run and was still not there after "
                            + CREATE_ATTEMPTS + " attempts: re-run when the other run is done"
                            + (e instanceof CreationPending && byPath() ? "; if none is running, one was stopped while creating it: delete "
                                    + location(table) + "/_delta_log, which holds no commit, and re-run." : "."),
                            JobFailure.firstLine(e), e);
                }
                LOG.warn("Another run is creating {} at the same time ({}): looking again, attempt {} of {}", describe(table),
                        JobFailure.firstLine(e), attempt + 1, CREATE_ATTEMPTS);
                pause(CREATE_PAUSE_MS, attempt, e);
            }
        }
        created.add(table.name());
    }

    /** One attempt of {@link #ensureCreated}: create the table, or set the properties it lacks; then register it. */
    private void createOrUpdate(OutputTable table) {
        ensureDatabase();
        String name = byPath() ? "delta.`" + location(table).replace("`", "``") + "`" : qualifiedName(table);
        if (!existsNow(table)) {
            StringBuilder ddl = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(name).append(" (")
                    .append(nullable(table.schema()).toDDL()).append(") USING DELTA");
            table.partitionColumn().ifPresent(c -> ddl.append(" PARTITIONED BY (`").append(c).append("`)"));
            ddl.append(" COMMENT '").append(sqlString(table.comment())).append("'");
            Map<String, String> properties = properties(table);
            if (!properties.isEmpty()) {
                ddl.append(" TBLPROPERTIES (").append(properties.entrySet().stream()
                        .map(e -> "'" + e.getKey() + "' = '" + e.getValue() + "'").collect(Collectors.joining(", "))).append(")");
            }
            try {
                spark.sql(ddl.toString());
            } catch (RuntimeException e) {
                if (!existsNow(table)) { // else another run created it at the same time: fine
                    throw e;
                }
            }
            if (!existsNow(table)) {
                throw new CreationPending(describe(table));
            }
        } else {
            Map<String, String> have = target(table).detail().select("properties").first().getJavaMap(0);
            for (Map.Entry<String, String> p : properties(table).entrySet()) {
                if (!p.getValue().equals(have.get(p.getKey()))) { // a table created before the property was: set it once
                    spark.sql("ALTER TABLE " + name + " SET TBLPROPERTIES ('" + p.getKey() + "' = '" + p.getValue() + "')");
                }
            }
            addMissingColumns(table, name);
        }
        if (byPath()) {
            register(table);
        }
    }

    /**
     * A table created before a release that appended columns to its definition gets them, nullable, with their comments
     * (ALTER TABLE ADD COLUMNS; existing rows read null), so the release's first write lands. Never drops or reorders.
     */
    private void addMissingColumns(OutputTable table, String name) {
        java.util.Set<String> have = new java.util.HashSet<>(java.util.Arrays.asList(target(table).toDF().columns()));
        List<String> missing = new ArrayList<>();
        for (StructField f : table.schema().fields()) {
            if (!have.contains(f.name())) {
                missing.add("`" + f.name() + "` " + f.dataType().sql()
                        + (f.getComment().isDefined() ? " COMMENT '" + sqlString(f.getComment().get()) + "'" : ""));
            }
        }
        if (!missing.isEmpty()) {
            spark.sql("ALTER TABLE " + name + " ADD COLUMNS (" + String.join(", ", missing) + ")");
            LOG.info("Added columns to {}: {}", describe(table), missing);
        }
    }

    /**
     * Whether the table is there now. By path, its log is read afresh: Delta remembers what it last saw of a path, and
     * another process may have committed the table since (isDeltaTable alone can answer from that older view).
     */
    private boolean existsNow(OutputTable table) {
        if (!byPath()) {
            return exists(table);
        }
        try {
            spark.read().format("delta").load(location(table)).schema();
            return true;
        } catch (Exception e) { // Scala declares no checked exceptions: AnalysisException is how "no table here" comes
            if (e instanceof org.apache.spark.sql.AnalysisException) {
                return false;
            }
            throw e;
        }
    }

    /**
     * CREATE TABLE IF NOT EXISTS did nothing and the table is still not there: Spark took the table's log folder, which
     * another run's CREATE makes before its first commit, for the table.
     */
    private static final class CreationPending extends RuntimeException {
        CreationPending(String table) {
            super("Table " + table + " has a Delta log folder without a commit: another run is creating it");
        }
    }

    /**
     * The errors of losing a creation race to another run. Not DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION: a CREATE
     * writes only the log folder, so other files in the location are not another run's CREATE.
     */
    private static final Set<String> CREATION_RACES = Set.of(
            "TABLE_OR_VIEW_ALREADY_EXISTS", "DELTA_TABLE_ALREADY_EXISTS", // the other run registered the table first
            "SCHEMA_ALREADY_EXISTS",                                      // ... or output.database, in a shared metastore
            "DELTA_CREATE_EXTERNAL_TABLE_WITHOUT_TXN_LOG");               // registering its folder before its first commit

    private static boolean creationRace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CreationPending || t instanceof io.delta.exceptions.DeltaConcurrentModificationException
                    || t instanceof org.apache.spark.SparkThrowable s && CREATION_RACES.contains(s.getCondition())) {
                return true;
            }
        }
        return false;
    }

    /** Waits before attempt {@code attempt + 1}: longer each time, with jitter so two runs do not meet again. */
    private static void pause(long millis, int attempt, RuntimeException cause) {
        try {
            Thread.sleep(millis * attempt + java.util.concurrent.ThreadLocalRandom.current().nextLong(millis));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw cause;
        }
    }

    private static Map<String, String> properties(OutputTable table) {
        return OutputTables.WITH_CHANGE_DATA_FEED.contains(table) ? Map.of("delta.enableChangeDataFeed", "true") : Map.of();
    }

    /**
     * The definition's columns, all nullable in the Delta schema: NOT NULL is documented, not enforced as a
     * Delta invariant, so a table's nullability never differs with the way it was first created.
     */
    private static org.apache.spark.sql.types.StructType nullable(org.apache.spark.sql.types.StructType schema) {
        return new org.apache.spark.sql.types.StructType(java.util.Arrays.stream(schema.fields())
                .map(f -> new org.apache.spark.sql.types.StructField(f.name(), f.dataType(), true, f.metadata()))
                .toArray(org.apache.spark.sql.types.StructField[]::new));
    }

    private static String sqlString(String text) {
        return text.replace("\\", "\\\\").replace("'", "\\'");
    }

    public Dataset<Row> read(OutputTable table) {
        return byPath() ? spark.read().format("delta").load(location(table)) : spark.read().table(qualifiedName(table));
    }

    /** The rows of one partition value (a date) of a partitioned table: the read-side twin of {@link #replacePartition}. */
    public Dataset<Row> readPartition(OutputTable table, LocalDate date) {
        return read(table).where(onDate(table, date));
    }

    private static Column onDate(OutputTable table, LocalDate date) {
        String column = table.partitionColumn().orElseThrow(() -> new IllegalArgumentException(table.name() + " is not partitioned"));
        return col(column).equalTo(lit(Date.valueOf(date)));
    }

    /**
     * Replaces exactly the rows matching {@code predicate} with {@code rows} in one commit (Delta
     * replaceWhere): re-running the same date gives the same table, other dates are untouched.
     * Every row written must match the predicate, which Delta checks.
     */
    public void replaceWhere(OutputTable table, Dataset<Row> rows, String predicate) {
        Dataset<Row> conformed = faultInWrite(table, table.conform(rows));
        ensureCreated(table);
        committing(table, () -> {
            if (byPath()) {
                conformed.write().format("delta").mode("overwrite").option("replaceWhere", predicate).save(location(table));
            } else {
                try {
                    conformed.writeTo(qualifiedName(table)).overwrite(expr(predicate));
                } catch (NoSuchTableException e) {
                    throw new IllegalStateException("Table " + qualifiedName(table) + " was dropped while the job ran", e);
                }
            }
        });
        LOG.info("Wrote {} where {}", describe(table), predicate);
    }

    /**
     * Runs one idempotent write (a replaceWhere or a MERGE, both recomputed against the table as it is
     * when retried). When another writer committed to the table first and Delta's conflict check rejects
     * this commit (two tries of one date at once), the write is retried: the rows of the date are
     * replaced again, so the table ends with one copy of them. A last loss fails the job, naming the table.
     */
    private void committing(OutputTable table, Runnable write) {
        faults.pauseAt("before-write:" + table.name());
        for (int attempt = 1; ; attempt++) {
            try {
                write.run();
                return;
            } catch (RuntimeException e) {
                io.delta.exceptions.DeltaConcurrentModificationException conflict = concurrentCommit(e);
                if (conflict == null) {
                    throw e;
                }
                if (attempt == COMMIT_ATTEMPTS) {
                    throw new JobFailure(1, "Table " + describe(table) + " was committed to by another run at the same time, "
                            + COMMIT_ATTEMPTS + " times in a row: nothing of this write was committed; re-run when the other run is done.",
                            conflict.toString(), e);
                }
                LOG.warn("Another run committed to {} first ({}): writing again, attempt {} of {}", describe(table),
                        conflict.getClass().getSimpleName(), attempt + 1, COMMIT_ATTEMPTS);
                pause(COMMIT_PAUSE_MS, attempt, e);
            }
        }
    }

    private static io.delta.exceptions.DeltaConcurrentModificationException concurrentCommit(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof io.delta.exceptions.DeltaConcurrentModificationException c) {
                return c;
            }
        }
        return null;
    }

    /** With the fault point {@code in-write:<table>} set: the write's tasks pause after their first row. */
    private Dataset<Row> faultInWrite(OutputTable table, Dataset<Row> rows) {
        String point = "in-write:" + table.name();
        if (!faults.is(point)) {
            return rows;
        }
        String dir = faults.signalDir();
        org.apache.spark.sql.expressions.UserDefinedFunction pause = functions.udf(
                (org.apache.spark.sql.api.java.UDF2<String, String, Boolean>) FaultPoint::passRow,
                org.apache.spark.sql.types.DataTypes.BooleanType).asNondeterministic();
        return rows.where(pause.apply(lit(point), lit(dir)));
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

    /** Predicate {@code column IN (DATE'2024-01-31', ...)} for replaceWhere. */
    public static String inDates(String column, Collection<LocalDate> dates) {
        return column + " IN (" + dates.stream().map(d -> "DATE'" + d + "'").collect(Collectors.joining(", ")) + ")";
    }

    /**
     * Keeps {@code latest} equal to the newest row per key of {@code history} (newest by history's partition column),
     * after {@code history}'s rows for some dates were (re)written, in one MERGE commit:
     * <ul>
     *   <li>each key's newest row among those dates replaces its row when it is as new or newer (a back-fill of an
     *       older date never overwrites a newer row; re-running a date changes nothing);</li>
     *   <li>a key that {@code latest} held at one of those dates but that has no row there any more (nor at a newer one
     *       of them) falls back to its newest older row in {@code history}, or is removed when it has none.</li>
     * </ul>
     * One commit whatever the number of dates: a run that writes the scores of D, D - 30 and D - 90 merges once.
     */
    public void refreshLatest(OutputTable latest, OutputTable history, String key, Collection<LocalDate> dates) {
        String dateColumn = history.partitionColumn().orElseThrow();
        Column written = col(dateColumn).isin(dates.stream().map(Date::valueOf).toArray());
        Dataset<Row> newest = read(history).where(written)
                .withColumn("_rank", row_number().over(Window.partitionBy(key).orderBy(col(dateColumn).desc())))
                .where(col("_rank").equalTo(1)).drop("_rank");
        ensureCreated(latest);
        Date currentDate = null;
        if (latest.columnNames().contains(OutputTables.CURRENT_FLAG)) { // the newest date the table will hold: the rows of that date are the current customers
            Date held = read(latest).agg(functions.max(col(dateColumn))).first().getDate(0);
            LocalDate newestDate = dates.stream().max(LocalDate::compareTo).orElseThrow();
            Date newestAll = held != null && held.toLocalDate().isAfter(newestDate) ? held : Date.valueOf(newestDate);
            newest = newest.withColumn(OutputTables.CURRENT_FLAG, col(dateColumn).equalTo(lit(newestAll)));
            currentDate = newestAll;
        }
        Dataset<Row> fresh = faultInWrite(latest, latest.conform(newest));
        Date current = currentDate;
        committing(latest, () -> merge(latest, history, key, written, fresh, current));
        LOG.info("Merged {} at {} into {}", history.name(), dates, describe(latest));
    }

    /**
     * The merge of {@link #refreshLatest}. With {@code currentDate} (a table with {@link OutputTables#CURRENT_FLAG}), the
     * flag is true exactly on the rows of that date, the newest the table holds: every row written gets it, and a row
     * left at an older date is set false in the same commit.
     */
    private void merge(OutputTable latest, OutputTable history, String key, Column written, Dataset<Row> fresh, Date currentDate) {
        String dateColumn = history.partitionColumn().orElseThrow();
        Dataset<Row> upserts = fresh;
        Dataset<Row> extra = null;
        // Keys held at a rewritten date that no row of that date, or of a newer rewritten one, keeps.
        Dataset<Row> stale = read(latest).where(written).select(col(key), col(dateColumn).as("_held"))
                .join(fresh.select(col(key), col(dateColumn).as("_fresh")), new String[] {key}, "left")
                .where(col("_fresh").isNull().or(col("_fresh").lt(col("_held"))))
                .select(key, "_held");
        if (!stale.isEmpty()) { // only after a re-run that dropped keys: look up their older rows
            Dataset<Row> older = read(history).join(stale, new String[] {key}, "inner").where(col(dateColumn).lt(col("_held")))
                    .withColumn("_rank", row_number().over(Window.partitionBy(key).orderBy(col(dateColumn).desc())))
                    .where(col("_rank").equalTo(1)).drop("_rank", "_held");
            if (currentDate != null) {
                older = older.withColumn(OutputTables.CURRENT_FLAG, col(dateColumn).equalTo(lit(currentDate)));
            }
            Dataset<Row> fallback = latest.conform(older).withColumn("_action", lit("fallback"));
            Dataset<Row> removed = stale.select(key).join(older.select(key), new String[] {key}, "left_anti")
                    .withColumn("_action", lit("delete"));
            upserts = upserts.join(stale.select(key), new String[] {key}, "left_anti"); // the fallback decides those keys
            extra = fallback.unionByName(removed, true);
        }
        Dataset<Row> source = upserts.withColumn("_action", lit("upsert"));
        if (extra != null) {
            source = source.unionByName(extra, true);
        }
        if (currentDate != null) {
            // Rows no source row touches that are flagged current but are older than the newest date: no longer current.
            Dataset<Row> former = read(latest).where(col(OutputTables.CURRENT_FLAG).and(col(dateColumn).lt(lit(currentDate))))
                    .select(key).join(source.select(key), new String[] {key}, "left_anti").withColumn("_action", lit("former"));
            source = source.unionByName(former, true);
        }
        Map<String, String> assign = new LinkedHashMap<>();
        for (String c : latest.columnNames()) {
            assign.put(c, "s." + c);
        }
        io.delta.tables.DeltaMergeBuilder merge = target(latest).as("t")
                .merge(source.as("s"), "t." + key + " = s." + key)
                .whenMatched("s._action = 'delete'").delete()
                .whenMatched("s._action = 'former'").updateExpr(Map.of(OutputTables.CURRENT_FLAG, "false"))
                .whenMatched("s._action = 'fallback' OR s." + dateColumn + " >= t." + dateColumn).updateExpr(assign);
        if (currentDate != null) { // a back-filled row that does not replace the newer one: that one's flag, against the newest date
            merge = merge.whenMatched().updateExpr(Map.of(OutputTables.CURRENT_FLAG,
                    "t." + dateColumn + " = DATE'" + currentDate + "'"));
        }
        merge.whenNotMatched("s._action NOT IN ('delete', 'former')").insertExpr(assign).execute();
    }

    /** Appends rows in one commit, creating the table on first use: for logs such as job_runs, never for results. */
    public void append(OutputTable table, Dataset<Row> rows) {
        Dataset<Row> conformed = faultInWrite(table, table.conform(rows));
        ensureCreated(table);
        if (byPath()) {
            conformed.write().format("delta").mode("append").save(location(table));
        } else {
            try {
                conformed.writeTo(qualifiedName(table)).append();
            } catch (NoSuchTableException e) {
                throw new IllegalStateException("Table " + qualifiedName(table) + " was dropped while the job ran", e);
            }
        }
    }

    /**
     * Rows written by the commits tagged {@code tag} (their userMetadata) from {@code since} on: Delta's operationMetrics
     * numOutputRows (an UPDATE's updated plus copied rows) summed, by table name. Tables never written are left out.
     */
    public Map<String, Long> rowsWrittenBy(String tag, java.time.Instant since, Collection<OutputTable> tables) {
        Map<String, Long> rows = new java.util.TreeMap<>();
        for (OutputTable t : tables) {
            if (!exists(t)) {
                continue;
            }
            // Since the job started: an earlier run of the same run id (a re-run) carries the same tag.
            List<Row> tagged = commitsSince(t, since).stream().filter(c -> tag.equals(c.getAs("userMetadata"))).toList();
            if (!tagged.isEmpty()) {
                rows.put(t.name(), tagged.stream().mapToLong(DeltaTables::rowsWritten).sum());
            }
        }
        return rows;
    }

    /** Commits read per history batch at first: a job writes a table once or twice. */
    static final int HISTORY_BATCH = 8;

    /**
     * The table's commits from {@code since} on (timestamp, userMetadata, operationMetrics), newest first. Delta's
     * history is read in growing batches until it reaches an older commit or the table's first: each batch is one Spark job
     * over that many commit files, so a table of a year of daily runs costs one small read, not its last hundred commits.
     * The history is a local relation: collecting it runs no Spark job.
     */
    private List<Row> commitsSince(OutputTable table, java.time.Instant since) {
        DeltaTable delta = target(table);
        for (int limit = HISTORY_BATCH; ; limit *= 4) {
            List<Row> commits = delta.history(limit).select("timestamp", "userMetadata", "operationMetrics").collectAsList();
            if (commits.size() < limit || isBefore(commits.get(commits.size() - 1), since)) {
                return commits.stream().filter(c -> !isBefore(c, since)).toList();
            }
        }
    }

    private static boolean isBefore(Row commit, java.time.Instant since) {
        return commit.<java.sql.Timestamp>getAs("timestamp").toInstant().isBefore(since);
    }

    /** A commit's numOutputRows; an UPDATE reports none: the rows it rewrote are its updated plus copied rows. 0 when neither. */
    private static long rowsWritten(Row commit) {
        Map<String, String> metrics = commit.isNullAt(commit.fieldIndex("operationMetrics")) ? Map.of()
                : commit.getJavaMap(commit.fieldIndex("operationMetrics"));
        if (metrics.get("numOutputRows") != null) {
            return Long.parseLong(metrics.get("numOutputRows"));
        }
        String updated = metrics.get("numUpdatedRows");
        String copied = metrics.get("numCopiedRows");
        return updated != null && copied != null ? Long.parseLong(updated) + Long.parseLong(copied) : 0L;
    }

    /** Updates the rows matching {@code condition} in one commit (Delta UPDATE). */
    public void update(OutputTable table, Column condition, Map<String, Column> set) {
        ensureCreated(table);
        target(table).update(condition, set);
        LOG.info("Updated {} where {}", describe(table), condition);
    }

    private DeltaTable target(OutputTable table) {
        return byPath() ? DeltaTable.forPath(spark, location(table)) : DeltaTable.forName(spark, qualifiedName(table));
    }

    private void ensureDatabase() {
        if (output.database() != null) {
            spark.sql("CREATE DATABASE IF NOT EXISTS `" + output.database() + "`");
        }
    }

    /**
     * Path mode: registers under output.database every declared output table ({@link OutputTables#ALL}) that has a
     * Delta log under output.path and is not in the catalog yet, so a table written before the catalog kept names (or by
     * another session) is found by name too. Returns the tables registered now. Nothing without a database or a path.
     */
    public List<String> registerExisting() {
        List<String> registered = new ArrayList<>();
        if (!byPath() || output.database() == null) {
            return registered;
        }
        ensureDatabase();
        for (OutputTable table : OutputTables.ALL) {
            if (!spark.catalog().tableExists(output.database(), table.name()) && DeltaTable.isDeltaTable(spark, location(table))) {
                register(table);
                registered.add(table.name());
            }
        }
        return registered;
    }

    /** Path mode: registers the table under output.database so SQL can query it by name. */
    private void register(OutputTable table) {
        if (output.database() != null) {
            spark.sql("CREATE TABLE IF NOT EXISTS " + qualifiedName(table) + " USING DELTA LOCATION '"
                    + location(table).replace("'", "\\'") + "'");
        }
    }
}
