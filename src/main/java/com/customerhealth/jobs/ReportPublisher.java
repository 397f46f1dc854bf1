package com.customerhealth.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import com.customerhealth.calibrate.CalibrationReport.CohortCell;
import com.customerhealth.calibrate.CalibrationReport.ProfileCell;
import com.customerhealth.calibrate.CalibrationReport.SegmentCell;
import com.customerhealth.calibrate.CalibrationReport;
import com.customerhealth.cohorts.MrrMovements;
import com.customerhealth.insights.SuccessProfile;
import com.customerhealth.io.OutputTables;
import com.customerhealth.io.ReportFiles;
import com.customerhealth.report.ReportRenderer;
import com.customerhealth.stats.Wilson;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Publishes a calibration's leadership report, as {@code calibrate} (after fitting) and {@code report} (from
 * what calibrate recorded) both do: rendered with the cohort, segment, success-profile and drift tables of its run
 * date as they are now, into {@code <report-path>/calibration-<D>}, replacing the folder.
 */
final class ReportPublisher {
    private ReportPublisher() {
    }

    /** Where the report of the run date goes: {@code <report-path>/calibration-<D>}. */
    static String folder(JobContext ctx) {
        return ctx.config().output().reportPath() + "/calibration-" + ctx.runDate();
    }

    /**
     * Renders the report with what the cohorts and insights jobs wrote for its run date and replaces its
     * folder. Returns the folder's qualified path.
     */
    static String publish(JobContext ctx, CalibrationReport report, String reportFolder) {
        return ReportFiles.write(ctx.spark(), reportFolder, ReportRenderer.render(withContext(ctx, report)));
    }

    /**
     * What the cohorts and insights jobs wrote for this run date, when they did: cohort_churn's last month
     * by industry x size band (summed over onboarding cohorts), segment_tier_summary, the ten
     * best-ranked success_profile values with the marketing line, and score_drift. Each a few dozen rows at most.
     */
    private static CalibrationReport withContext(JobContext ctx, CalibrationReport r) {
        LocalDate d = ctx.runDate();
        List<CohortCell> cells = new ArrayList<>();
        if (ctx.tables().exists(OutputTables.COHORT_CHURN)) {
            int minSize = ctx.config().cohorts().minCohortSize();
            for (Row c : ctx.tables().readPartition(OutputTables.COHORT_CHURN, MrrMovements.lastMonthEnd(d))
                    .where(col("grouping").equalTo("industry x size_band x cohort"))
                    .groupBy("industry", "size_band").agg(sum("customers_start").as("start"), sum("churned").as("churned"))
                    .where(col("start").gt(0)) // a cell with no customer at the start has no churn rate
                    .orderBy("industry", "size_band").collectAsList()) { // one row per industry and size band
                long start = c.getLong(2);
                long churned = c.getLong(3);
                double[] ci = Wilson.interval(churned, start);
                cells.add(new CohortCell(c.getString(0), c.getString(1), start, churned, (double) churned / start, ci[0], ci[1],
                        start < minSize));
            }
        }
        List<SegmentCell> segments = new ArrayList<>();
        if (ctx.tables().exists(OutputTables.SEGMENT_TIER_SUMMARY)) {
            for (Row c : ctx.tables().readPartition(OutputTables.SEGMENT_TIER_SUMMARY, d).orderBy("segment", "health_tier")
                    .collectAsList()) { // at most four segments x six tiers
                segments.add(new SegmentCell(c.getAs("segment"), c.getAs("health_tier"), c.<Long>getAs("accounts"),
                        c.<BigDecimal>getAs("mrr").doubleValue(), c.<Double>getAs("mrr_share")));
            }
        }
        List<ProfileCell> profile = new ArrayList<>();
        String line = null;
        if (ctx.tables().exists(OutputTables.SUCCESS_PROFILE)) {
            Dataset<Row> rows = ctx.tables().readPartition(OutputTables.SUCCESS_PROFILE, d);
            for (Row c : rows.where(col("rank_overall").isNotNull()).orderBy("rank_overall").takeAsList(10)) {
                profile.add(new ProfileCell(c.getAs("characteristic"), c.getAs("value"), c.<Double>getAs("share_retained_healthy"),
                        c.<Double>getAs("share_churned"), c.<Double>getAs("lift"), c.<Double>getAs("retention_rate"),
                        c.<Double>getAs("retention_ci_low"), c.<Double>getAs("retention_ci_high")));
            }
            line = profile.isEmpty() ? null : SuccessProfile.marketingLine(rows);
        }
        List<CalibrationReport.DriftCell> drift = new ArrayList<>();
        if (ctx.tables().exists(OutputTables.SCORE_DRIFT)) {
            for (Row c : ctx.tables().readPartition(OutputTables.SCORE_DRIFT, d).orderBy("reference", "measure")
                    .collectAsList()) { // three references x the model's measures
                drift.add(new CalibrationReport.DriftCell(c.getAs("measure"), c.getAs("reference"),
                        c.isNullAt(c.fieldIndex("reference_date")) ? null : c.<java.sql.Date>getAs("reference_date").toLocalDate(),
                        c.getAs("psi"), c.getAs("flag"), c.getAs("current_missing_share"), c.getAs("reference_missing_share")));
            }
        }
        return r.withContext(List.copyOf(cells), List.copyOf(segments), List.copyOf(profile), line, List.copyOf(drift));
    }
}
