package com.customerhealth.validate;

import com.customerhealth.JobFailure;
import com.customerhealth.config.AppConfig;
import com.customerhealth.contract.TableSpec;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.io.WarehouseReader;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    private WarehouseLoader() {
    }

    /** Loads accounts plus {@code tables} (contract names; accounts is always loaded first). */
    public static ValidatedWarehouse load(SparkSession spark, AppConfig config, LocalDate runDate, String runId,
                                          Collection<String> tables) {
        WarehouseReader reader = new WarehouseReader(spark, config);
        InputValidator validator = new InputValidator(config, runDate, runId);

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
        Dataset<Row> rejected = null;
        Dataset<Row> knownIds = null; // set once accounts (always first) is validated
        for (TableSpec spec : specs) {
            if (!raw.containsKey(spec.name())) {
                continue;
            }
            InputValidator.Validated v = validate(validator, spec, raw.get(spec.name()), knownIds, config);
            if (spec.name().equals("accounts")) {
                // Children are checked against every account id in the source, quarantined accounts included:
                // an account quarantined for a bad employee count does not also orphan its usage rows (the
                // account itself is not scored). Taken from the accounts rows validation kept, so the source is read once.
                Dataset<Row> rows = v.persisted() != null ? v.persisted() : raw.get("accounts");
                knownIds = rows.select("account_id").where("account_id IS NOT NULL").distinct();
                if (config.input().persist()) {
                    knownIds = knownIds.persist(StorageLevel.MEMORY_AND_DISK());
                    persisted.add(knownIds);
                }
            }
            clean.put(spec.name(), v.clean());
            reports.add(v.report());
            if (v.persisted() != null) {
                persisted.add(v.persisted());
            }
            rejected = rejected == null ? v.rejected() : rejected.unionByName(v.rejected());
            TableReport r = v.report();
            LOG.info("Validated {}: {} rows, {} quarantined {}, {} after the run date excluded",
                    r.table(), r.rows(), r.rejected(), r.rejectedByRule(), r.excludedAfterRunDate());
        }
        return new ValidatedWarehouse(clean, rejected, reports, persisted);
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
