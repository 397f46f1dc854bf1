package com.customerhealth.jobs;

import com.customerhealth.JobFailure;
import com.customerhealth.calibrate.CalibrationReport;
import com.customerhealth.io.OutputTable;
import com.customerhealth.io.OutputTables;
import com.customerhealth.report.ReportRenderer;
import com.customerhealth.validate.ValidatedWarehouse;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;

/**
 * {@code report --run-date D}: publishes the leadership report of D's calibration again, from what
 * {@code calibrate} recorded in {@code calibration_reports}, with the cohort, segment and success-profile
 * context read fresh. Reads no warehouse table and fits nothing: run it after the daily jobs of D have
 * written their tables, or after a template change.
 */
public final class ReportJob implements Job {

    @Override
    public String name() {
        return "report";
    }

    @Override
    public Set<String> inputTables(JobContext ctx) {
        return Set.of();
    }

    @Override
    public List<OutputTable> outputTables() {
        return List.of();
    }

    @Override
    public List<String> otherOutputs(JobContext ctx) {
        return List.of("the leadership report in " + ReportPublisher.folder(ctx) + ", from calibration_reports");
    }

    @Override
    public void run(JobContext ctx, ValidatedWarehouse warehouse) {
        String folder = ReportPublisher.folder(ctx);
        List<Row> recorded = ctx.tables().exists(OutputTables.CALIBRATION_REPORTS)
                ? ctx.tables().readPartition(OutputTables.CALIBRATION_REPORTS, ctx.runDate()).select("report_json").collectAsList()
                : List.of(); // one row per run date
        if (recorded.isEmpty()) {
            throw new JobFailure(JobFailure.BAD_INPUT, "No calibration is recorded for " + ctx.runDate() + " in "
                    + ctx.tables().describe(OutputTables.CALIBRATION_REPORTS) + ": run calibrate --run-date " + ctx.runDate()
                    + " first.", "");
        }
        CalibrationReport report = ReportRenderer.fromJson(recorded.get(0).getString(0));
        String written = ReportPublisher.publish(ctx, report, folder);
        ctx.out().printf("report %s: %s (%s)%n  report: %s/report.html%n", ctx.runDate(), report.status(),
                report.proposedVersion() == null ? "nothing proposed" : report.proposedVersion(), written);
    }
}
