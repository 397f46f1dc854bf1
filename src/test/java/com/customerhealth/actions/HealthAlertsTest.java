package com.customerhealth.actions;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.TestSpark;
import com.customerhealth.config.ActionSettings;
import com.customerhealth.config.AppConfig;
import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** health_alerts on hand-made scores, drivers, periods, invoices and overrides, with the default thresholds. */
class HealthAlertsTest {
    private final SparkSession spark = TestSpark.session();
    private static final LocalDate D = LocalDate.parse("2024-06-30");
    private final ActionSettings.Alerts cfg = AppConfig.defaults().actions().alerts();

    private static final StructType SCORES = new StructType().add("score_date", DataTypes.DateType).add("account_id", DataTypes.StringType)
            .add("account_name", DataTypes.StringType).add("csm_owner", DataTypes.StringType).add("mrr", DataTypes.createDecimalType(18, 2))
            .add("health_score", DataTypes.DoubleType).add("health_tier", DataTypes.StringType);

    /** Rows id, score, tier on date. */
    private Dataset<Row> scores(LocalDate date, Object... idScoreTier) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < idScoreTier.length; i += 3) {
            rows.add(RowFactory.create(Date.valueOf(date), idScoreTier[i], "Account " + idScoreTier[i], "ann", new BigDecimal("100.00"),
                    idScoreTier[i + 1], idScoreTier[i + 2]));
        }
        return spark.createDataFrame(rows, SCORES);
    }

    private static final StructType DRIVERS = new StructType().add("account_id", DataTypes.StringType).add("metric", DataTypes.StringType)
            .add("dimension", DataTypes.StringType).add("concern_points", DataTypes.DoubleType).add("concern", DataTypes.StringType)
            .add("concern_rank", DataTypes.IntegerType);

    /** Rank-1 concerns: id, metric, points. */
    private Dataset<Row> drivers(Object... idMetricPoints) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < idMetricPoints.length; i += 3) {
            rows.add(RowFactory.create(idMetricPoints[i], idMetricPoints[i + 1], "usage", idMetricPoints[i + 2],
                    "usage / " + idMetricPoints[i + 1] + ": costs", 1));
        }
        return spark.createDataFrame(rows, DRIVERS);
    }

    private Dataset<Row> periods(Object... idStartEnd) {
        StructType schema = new StructType().add("account_id", DataTypes.StringType).add("start_date", DataTypes.DateType)
                .add("end_date", DataTypes.DateType).add("mrr", DataTypes.createDecimalType(18, 2));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < idStartEnd.length; i += 3) {
            rows.add(RowFactory.create(idStartEnd[i], date(idStartEnd[i + 1]), date(idStartEnd[i + 2]), new BigDecimal("100.00")));
        }
        return spark.createDataFrame(rows, schema);
    }

    private Dataset<Row> invoices(Object... idAccountIssuedDuePaid) {
        StructType schema = new StructType().add("invoice_id", DataTypes.StringType).add("account_id", DataTypes.StringType)
                .add("issued_at", DataTypes.DateType).add("due_at", DataTypes.DateType).add("paid_at", DataTypes.DateType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < idAccountIssuedDuePaid.length; i += 5) {
            rows.add(RowFactory.create(idAccountIssuedDuePaid[i], idAccountIssuedDuePaid[i + 1], date(idAccountIssuedDuePaid[i + 2]),
                    date(idAccountIssuedDuePaid[i + 3]), date(idAccountIssuedDuePaid[i + 4])));
        }
        return spark.createDataFrame(rows, schema);
    }

    private Dataset<Row> overrides(Object... idFromUntil) {
        StructType schema = new StructType().add("account_id", DataTypes.StringType).add("valid_from", DataTypes.DateType)
                .add("valid_until", DataTypes.DateType).add("author", DataTypes.StringType).add("reason", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < idFromUntil.length; i += 3) {
            rows.add(RowFactory.create(idFromUntil[i], date(idFromUntil[i + 1]), date(idFromUntil[i + 2]), "jo", "exec sponsor left"));
        }
        return spark.createDataFrame(rows, schema);
    }

    private static Date date(Object s) {
        return s == null ? null : Date.valueOf((String) s);
    }

    /** account/kind -> alert_value. */
    private static Map<String, Double> byKind(Dataset<Row> alerts) {
        Map<String, Double> out = new TreeMap<>();
        alerts.collectAsList().forEach(r -> out.put(r.<String>getAs("account_id") + "/" + r.<String>getAs("alert_kind"),
                r.<Double>getAs("alert_value")));
        return out;
    }

    private HealthAlerts.Inputs inputs(Dataset<Row> now, Dataset<Row> previous, Dataset<Row> before30, Dataset<Row> drivers,
                                       Dataset<Row> previousDrivers, Dataset<Row> periods, Dataset<Row> invoices, Dataset<Row> overrides) {
        return new HealthAlerts.Inputs(now, previous, before30, drivers, previousDrivers, HealthAlerts.renewals(periods, D),
                HealthAlerts.overdueInvoices(invoices, D, cfg.paymentOverdueDays()), overrides);
    }

    @Test
    void scoreDropFiresExactlyAtTheThresholdAndNotOnePointAbove() {
        // Threshold 10 points. AT: 70 -> 60, a fall of exactly 10: fires. ABOVE: 70 -> 61, 9 points: does not.
        // DEC: 70.07 -> 60.07 is 9.999999999999993 in doubles; the fall is rounded to the scores' 2 decimals: 10.00, fires.
        Dataset<Row> now = scores(D, "AT", 60.0, "needs_attention", "ABOVE", 61.0, "needs_attention", "DEC", 60.07, "needs_attention");
        Dataset<Row> before30 = scores(D.minusDays(30), "AT", 70.0, "healthy", "ABOVE", 70.0, "healthy", "DEC", 70.07, "healthy");
        Dataset<Row> alerts = HealthAlerts.alerts(inputs(now, now.limit(0), before30, drivers(), drivers(), periods(), invoices(), null), cfg, D);

        assertThat(byKind(alerts)).containsExactlyEntriesOf(new TreeMap<>(Map.of("AT/score_drop", 10.0, "DEC/score_drop", 10.0)));
        Row at = alerts.where(col("account_id").equalTo("AT")).first();
        assertThat(at.<String>getAs("reason"))
                .isEqualTo("Score fell 10.00 points in 30 days (70.00 on 2024-05-31, 60.00 on 2024-06-30); alert at 10.0 points.");
        assertThat(at.<String>getAs("csm_owner")).isEqualTo("ann");
        assertThat(at.<String>getAs("alert_id")).hasSize(32);
    }

    @Test
    void tierDropAndNewTopConcernCompareWithThePreviousDate() {
        // T1 healthy -> at_risk (2 tiers), T2 stays at_risk, T3 at_risk -> needs_attention (a rise). Concerns: T1 nps -> seats
        // (new), T2 seats -> seats (same), T3 first seen today (not in the previous drivers: no alert), T4 seats at 0.5 points
        // (below the 1.0 minimum).
        LocalDate prevDate = D.minusDays(1);
        Dataset<Row> now = scores(D, "T1", 45.0, "at_risk", "T2", 40.0, "at_risk", "T3", 55.0, "needs_attention", "T4", 80.0, "healthy");
        Dataset<Row> prev = scores(prevDate, "T1", 72.0, "healthy", "T2", 41.0, "at_risk", "T3", 45.0, "at_risk", "T4", 80.0, "healthy");
        Dataset<Row> alerts = HealthAlerts.alerts(inputs(now, prev, now.limit(0),
                drivers("T1", "seats", 4.0, "T2", "seats", 3.0, "T3", "seats", 6.0, "T4", "seats", 0.5),
                drivers("T1", "nps", 2.0, "T2", "seats", 2.5, "T4", "nps", 1.0), periods(), invoices(), null), cfg, D);

        assertThat(byKind(alerts)).containsExactlyEntriesOf(new TreeMap<>(Map.of("T1/tier_dropped", 2.0, "T1/new_top_concern", 4.0)));
        Map<String, String> reasons = new TreeMap<>();
        alerts.collectAsList().forEach(r -> reasons.put(r.getAs("alert_kind"), r.getAs("reason")));
        assertThat(reasons).containsEntry("tier_dropped", "Tier dropped from healthy to at_risk since the score of 2024-06-29 (score 72.00 -> 45.00).")
                .containsEntry("new_top_concern", "New top concern: usage / seats, costing 4.0 health points (before: usage / nps).");
        assertThat(alerts.select("top_concern").distinct().first().getString(0)).isEqualTo("usage / seats: costs");
    }

    @Test
    void standingConditionsFireWithinTheirWindowsAndKeepTheirIdFromDayToDay() {
        // Renewal window 90 days: R90 ends on D + 90 (fires), R91 on D + 91 (no), RH on D + 10 but healthy (no), ROPEN open-ended (no).
        // Payment 14 days overdue: P14 due D - 14 unpaid (fires; a second invoice due D - 20 is older: 20 days), P13 due D - 13 (no),
        // PPAID due D - 30 paid D - 1 (no). Overrides ending within 14 days: O14 until D + 14 (fires), O15 until D + 15 (no),
        // OEXP until D - 1, expired the day before (no).
        String[] ids = {"R90", "R91", "RH", "ROPEN", "P14", "P13", "PPAID", "O14", "O15", "OEXP"};
        List<Object> s = new ArrayList<>();
        for (String id : ids) {
            s.addAll(List.of(id, id.equals("RH") ? 80.0 : 40.0, id.equals("RH") ? "healthy" : "at_risk"));
        }
        Dataset<Row> now = scores(D, s.toArray());
        Dataset<Row> periods = periods("R90", "2024-01-01", "2024-09-28", "R91", "2024-01-01", "2024-09-29",
                "RH", "2024-01-01", "2024-07-10", "ROPEN", "2024-01-01", null, "ROPEN", "2024-01-01", "2024-07-10");
        Dataset<Row> invoices = invoices("I1", "P14", "2024-06-01", "2024-06-16", null, "I0", "P14", "2024-06-01", "2024-06-10", null,
                "I2", "P13", "2024-06-01", "2024-06-17", null, "I3", "PPAID", "2024-05-01", "2024-05-31", "2024-06-29");
        Dataset<Row> overrides = overrides("O14", "2024-06-01", "2024-07-14", "O15", "2024-06-01", "2024-07-15",
                "OEXP", "2024-06-01", "2024-06-29");
        Dataset<Row> alerts = HealthAlerts.alerts(inputs(now, now.limit(0), now.limit(0), drivers(), drivers(), periods, invoices, overrides),
                cfg, D);

        assertThat(byKind(alerts)).containsExactlyEntriesOf(new TreeMap<>(Map.of("R90/renewal_at_risk", 90.0,
                "P14/payment_overdue", 20.0, "O14/override_expiring", 14.0)));
        Map<String, String> reasons = new TreeMap<>();
        alerts.collectAsList().forEach(r -> reasons.put(r.getAs("alert_kind"), r.getAs("reason")));
        assertThat(reasons).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "renewal_at_risk", "Renewal in 90 days (the subscription in force ends 2024-09-28) while at_risk (score 40.00).",
                "payment_overdue", "2 invoices unpaid past due, the oldest I0 due 2024-06-10 (20 days overdue): involuntary-churn risk.",
                "override_expiring", "The CSM override by jo (exec sponsor left) ends in 14 days, on 2024-07-14: renew it or let the "
                        + "computed score stand.")));

        // The next day the same renewal is 89 days away: the same alert_id, so a CRM upsert updates one task.
        LocalDate next = D.plusDays(1);
        Dataset<Row> tomorrow = HealthAlerts.alerts(new HealthAlerts.Inputs(scores(next, "R90", 39.0, "at_risk"), now.limit(0), now.limit(0),
                drivers(), drivers(), HealthAlerts.renewals(periods, next), HealthAlerts.overdueInvoices(invoices(), next, 14), null), cfg, next);
        assertThat(tomorrow.first().<String>getAs("alert_id"))
                .isEqualTo(alerts.where(col("account_id").equalTo("R90")).first().<String>getAs("alert_id"));
        assertThat(tomorrow.first().<Double>getAs("alert_value")).isEqualTo(89.0);
    }
}
