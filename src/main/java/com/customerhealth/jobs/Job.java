package com.customerhealth.jobs;

import com.customerhealth.validate.ValidatedWarehouse;
import java.util.Set;

/** A job of the pipeline: the warehouse tables it reads, and what it does with them. */
public interface Job {
    /** Name, as the CLI subcommand. */
    String name();

    /** Contract tables this job reads (accounts is always loaded). */
    Set<String> inputTables(JobContext ctx);

    /** Computes and writes the job's tables from the validated warehouse. */
    void run(JobContext ctx, ValidatedWarehouse warehouse);
}
