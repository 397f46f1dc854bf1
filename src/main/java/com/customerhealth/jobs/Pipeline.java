package com.customerhealth.jobs;

import com.customerhealth.validate.ValidatedWarehouse;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Runs jobs in order over one validated read of the warehouse. {@code run} is every job, in pipeline order. */
public final class Pipeline {
    /**
     * The whole pipeline, in order: score, cohorts (health_tier_churn reads the scores), insights (reads
     * the scores), calibrate (its report reads cohort_churn and the segments).
     */
    public static List<Job> all() {
        return List.of(new ScoreJob(), new CohortsJob(), new InsightsJob(), new CalibrateJob());
    }

    private Pipeline() {
    }

    public static void run(JobContext ctx, List<Job> jobs) {
        Set<String> tables = new TreeSet<>();
        jobs.forEach(j -> tables.addAll(j.inputTables(ctx)));
        ctx.out().printf("Run %s, run date %s, output %s%n", ctx.runId(), ctx.runDate(),
                ctx.config().output().path() != null ? ctx.config().output().path() : "database " + ctx.config().output().database());
        ValidatedWarehouse warehouse = ctx.loadWarehouse(tables);
        try {
            for (Job job : jobs) {
                job.run(ctx, warehouse);
            }
        } finally {
            warehouse.release();
        }
    }
}
