package com.customerhealth.jobs;

import com.customerhealth.io.OutputTable;
import com.customerhealth.validate.ValidatedWarehouse;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/** A job of the pipeline: the warehouse tables it reads, the tables it writes, and what it does. */
public interface Job {
    /** Name, as the CLI subcommand. */
    String name();

    /** Contract tables this job reads (accounts is loaded whenever any is); empty when it reads none. */
    Set<String> inputTables(JobContext ctx);

    /** Output tables this job writes, beside rejected_rows (written whenever inputs are read) and job_runs. */
    List<OutputTable> outputTables();

    /**
     * The dates whose scores this job reads from account_health_scores (scored and written first when missing);
     * in a command that runs {@code score} first, score writes the missing ones with the run date's, in one pass.
     */
    default Set<LocalDate> scoreDates(JobContext ctx) {
        return Set.of();
    }

    /** What else the job writes, for the dry-run plan: e.g. the report folder. */
    default List<String> otherOutputs(JobContext ctx) {
        return List.of();
    }

    /** Computes and writes the job's tables from the validated warehouse. */
    void run(JobContext ctx, ValidatedWarehouse warehouse);
}
