package com.customerhealth.validate;

import com.customerhealth.JobFailure;
import com.customerhealth.config.AppConfig;
import com.customerhealth.contract.TableSpec;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.io.OutputTables;
import com.customerhealth.io.WarehouseReader;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and validates the warehouse tables a job needs, before the job computes anything.
 * Table-level failures stop here (exit 3); quarantined rows are returned for writing.
 */
public final class WarehouseLoader {
    private static final Logger LOG = LoggerFactory.getLogger(WarehouseLoader.class);
    /** Tables validated at once. */
    private static final int PARALLEL_TABLES = 4;

    private WarehouseLoader() {
    }

    /** Loads accounts plus {@code tables} (contract names; accounts is always loaded first). */
    public static ValidatedWarehouse load(SparkSession spark, AppConfig config, LocalDate runDate, String runId,
                                          Collection<String> tables) {
        WarehouseReader reader = new WarehouseReader(spark, config);
        StagingArea staging = config.input().persist() && config.input().stagingRoot() != null
                ? StagingArea.create(spark, config.input().stagingRoot(), runId) : null;
        InputValidator validator = new InputValidator(config, runDate, runId, staging);

        // Read every table first, so a missing table or column is reported before any Spark job runs.
        Map<String, Dataset<Row>> raw = new LinkedHashMap<>();
        List<TableSpec> specs = new ArrayList<>();
        specs.add(WarehouseContract.ACCOUNTS);
        for (TableSpec t : WarehouseContract.TABLES) {
            if (tables.contains(t.name()) && !t.name().equals("accounts")) {
                specs.add(t);
            }
        }
        for (TableSpec spec : specs) {
            Optional<Dataset<Row>> table = reader.read(spec);
            table.ifPresent(df -> raw.put(spec.name(), df));
        }

        Map<String, Dataset<Row>> clean = new LinkedHashMap<>();
        List<TableReport> reports = new ArrayList<>();
        List<Dataset<Row>> persisted = new ArrayList<>();
        List<Dataset<Row>> rejected = new ArrayList<>();
        // accounts first: the other tables are checked against its account ids.
        InputValidator.Validated accounts;
        List<InputValidator.Validated> validated = new ArrayList<>();
        try {
            accounts = validate(validator, WarehouseContract.ACCOUNTS, raw.get("accounts"), null, config);
            if (accounts.report().rows() == 0) {
                // Every job starts from the accounts: an empty table is a load that has not landed, never a warehouse
                // with no customers, and scoring it would write empty tables over good ones.
                throw JobFailure.badInput("Table accounts has no rows: every job starts from the accounts. Check that the "
                        + "warehouse load of accounts has landed (and input.tables.accounts points at it), then run again.", null);
            }
        } catch (RuntimeException e) {
            if (staging != null) {
                staging.delete();
            }
            throw e;
        }
        // Children are checked against every account id in the source, quarantined accounts included: an account
        // quarantined for a bad employee count does not also orphan its usage rows (the account itself is not scored).
        // Taken from the accounts rows validation kept, so the source is read once.
        Dataset<Row> rows = accounts.persisted() != null ? accounts.persisted() : raw.get("accounts");
        Dataset<Row> knownIds = rows.select("account_id").where("account_id IS NOT NULL").distinct();
        if (config.input().persist()) {
            knownIds = knownIds.persist(StorageLevel.MEMORY_AND_DISK());
            persisted.add(knownIds);
        }
        List<TableSpec> children = specs.stream().filter(s -> !s.name().equals("accounts") && raw.containsKey(s.name())).toList();
        validated.add(accounts);
        try {
            validated.addAll(validateAll(validator, children, raw, knownIds, config));
        } catch (RuntimeException e) {
            knownIds.unpersist();
            if (staging != null) {
                staging.delete();
            }
            throw e;
        }
        for (InputValidator.Validated v : validated) {
            TableReport r = v.report();
            clean.put(r.table(), v.clean());
            reports.add(r);
            if (v.persisted() != null) {
                persisted.add(v.persisted());
            }
            if (r.rejected() > 0) { // the counts are known: a table with no quarantined row adds nothing to rejected_rows
                rejected.add(v.rejected());
            }
            LOG.info("Validated {}: {} rows, {} quarantined {}, {} after the run date excluded",
                    r.table(), r.rows(), r.rejected(), r.rejectedByRule(), r.excludedAfterRunDate());
        }
        Dataset<Row> allRejected = rejected.isEmpty() ? spark.createDataFrame(List.of(), OutputTables.REJECTED_ROWS.schema())
                : rejected.stream().reduce(Dataset::unionByName).orElseThrow();
        return new ValidatedWarehouse(clean, allRejected, reports, persisted, staging == null ? () -> { } : staging::delete);
    }

    /**
     * Validates the tables side by side (each is a few Spark jobs whose driver-side work, planning and scheduling,
     * overlaps the others' tasks), and returns them in the given order. When tables fail, the first of them in that
     * order is the one reported, whichever failed first in time.
     */
    private static List<InputValidator.Validated> validateAll(InputValidator validator, List<TableSpec> specs,
                                                              Map<String, Dataset<Row>> raw, Dataset<Row> knownIds, AppConfig config) {
        if (specs.isEmpty()) {
            return List.of();
        }
        // A pool per load: its threads inherit the caller's Spark local properties (job group, description).
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL_TABLES, specs.size()));
        try {
            List<Future<InputValidator.Validated>> futures = new ArrayList<>();
            for (TableSpec spec : specs) {
                futures.add(pool.submit(() -> validate(validator, spec, raw.get(spec.name()), knownIds, config)));
            }
            List<InputValidator.Validated> out = new ArrayList<>();
            RuntimeException first = null;
            for (Future<InputValidator.Validated> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while validating the inputs", e);
                }
            }
            if (first != null) {
                throw first;
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The dry run's check of the input contract, schemas only: each table's source can be reached, has
     * every required column (under its mapped name) and types that read as the contract's. No row is
     * read and nothing is written. Returns one line per table: its name and source.
     */
    public static List<String> checkSchemas(SparkSession spark, AppConfig config, Collection<String> tables) {
        WarehouseReader reader = new WarehouseReader(spark, config);
        List<String> lines = new ArrayList<>();
        for (TableSpec spec : WarehouseContract.TABLES) {
            if (!spec.name().equals("accounts") && !tables.contains(spec.name())) {
                continue;
            }
            Optional<Dataset<Row>> table = reader.read(spec);
            table.ifPresent(df -> InputValidator.checkSchema(spec, df));
            lines.add(String.format("%-21s %s", spec.name(), config.source(spec.name()).describe()));
        }
        return lines;
    }

    /** Validates one table; a source that fails while being read (a corrupt file, a lost connection) exits 3 naming it. */
    private static InputValidator.Validated validate(InputValidator validator, TableSpec spec, Dataset<Row> raw,
                                                     Dataset<Row> knownIds, AppConfig config) {
        try {
            return validator.validate(spec, raw, knownIds);
        } catch (JobFailure e) {
            throw e;
        } catch (Exception e) { // Spark rethrows read failures, checked or not, from its actions
            throw WarehouseReader.unreadable(config.source(spec.name()), "failed while being read from", e,
                    "Check the source data and input.tables." + spec.name() + ".");
        }
    }
}
