package com.customerhealth.jobs;

import com.customerhealth.io.OutputTable;
import com.customerhealth.validate.ValidatedWarehouse;
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

    /** What else the job writes, for the dry-run plan: e.g. the report folder. */
    default List<String> otherOutputs(JobContext ctx) {
        return List.of();
    }

    /** Computes and writes the job's tables from the validated warehouse. */
    void run(JobContext ctx, ValidatedWarehouse warehouse);
}
