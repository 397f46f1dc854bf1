package com.customerhealth.validate;

import com.customerhealth.JobFailure;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The warehouse after validation: clean, typed tables under contract names, the quarantined rows
 * of every table (rejected_rows schema), one report per table, and what holds the rows for the run (persisted
 * frames, the staging folder) to release.
 */
public record ValidatedWarehouse(Map<String, Dataset<Row>> clean, Dataset<Row> rejected, List<TableReport> reports,
                                 List<Dataset<Row>> persisted, Runnable onRelease) {

    /** No input at all: for jobs that read no warehouse table. */
    public static final ValidatedWarehouse NONE = new ValidatedWarehouse(Map.of(), null, List.of(), List.of(), () -> { });

    /** Frees the persisted inputs and deletes the staged ones; call when the jobs of a run are done. */
    public void release() {
        persisted.forEach(Dataset::unpersist);
        onRelease.run();
    }

    /** A clean table; fails when a required table was not loaded. */
    public Dataset<Row> table(String name) {
        Dataset<Row> t = clean.get(name);
        if (t == null) {
            throw new IllegalStateException("Table " + name + " was not loaded for this job");
        }
        return t;
    }

    /** An optional table (churn_events), empty when configured absent. */
    public Optional<Dataset<Row>> optionalTable(String name) {
        return Optional.ofNullable(clean.get(name));
    }

    /**
     * Fails the job (exit 3) when any table's quarantined share passes the threshold. Called after
     * rejected_rows is written, so the offending rows can be inspected.
     */
    public void enforceRejectedShare(double maxShare, String runDate) {
        List<TableReport> over = reports.stream().filter(r -> r.rejectedShare() > maxShare).toList();
        if (over.isEmpty()) {
            return;
        }
        TableReport worst = over.get(0);
        String details = over.stream().map(r -> String.format(Locale.ROOT, "%s: %d of %d rows rejected (%.2f%%), by rule %s",
                r.table(), r.rejected(), r.rows() - r.excludedAfterRunDate(), 100 * r.rejectedShare(), r.rejectedByRule()))
                .collect(Collectors.joining("\n"));
        String remedy = worst.rejectedByRule().containsKey("date_after_run_date")
                ? "if this is a backfill of a past date, run it with validation.rows-after-run-date = exclude; otherwise fix "
                : "fix ";
        throw JobFailure.badInput(String.format(Locale.ROOT,
                        "Table %s: %.2f%% of rows broke row rules (%s), above validation.max-rejected-share %.2f%%: "
                                + "%sthe source rows listed in rejected_rows for run_date %s, or raise the threshold.",
                        worst.table(), 100 * worst.rejectedShare(), worst.rejectedByRule().keySet(), 100 * maxShare, remedy, runDate),
                details);
    }
}
