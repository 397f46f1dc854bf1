package com.customerhealth.actions;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.format_number;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.config.ActionSettings;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * health_alerts: what changed on D that a CSM must act on, one row per account and alert kind (docs/acting-on-the-score.md).
 * Pure: the day's scores, the earlier scores and drivers, renewals, overdue invoices and overrides in; alert rows out.
 *
 * <p>Kinds, thresholds in conf {@code actions.alerts}:
 * <ul>
 *   <li>{@code tier_dropped}: the tier is worse than at the account's previous score (healthy &gt; needs_attention &gt; at_risk &gt; critical);</li>
 *   <li>{@code score_drop}: the score fell by at least score-drop-points since the score 30 days before (the fall rounded to 2 decimals);</li>
 *   <li>{@code new_top_concern}: the top concern of account_health_drivers is another metric than on the previous drivers date;</li>
 *   <li>{@code renewal_at_risk}: the period in force ends within renewal-window-days while the tier is one of renewal-tiers;</li>
 *   <li>{@code payment_overdue}: an invoice unpaid on D at least payment-overdue-days after its due date (involuntary-churn risk);</li>
 *   <li>{@code override_expiring}: a CSM override in force on D ends within override-expiry-days.</li>
 * </ul>
 * The alert id is a digest of account, kind and subject: for the change kinds the subject is the date, so each day's
 * change is its own alert; for the standing conditions it is what the condition is about (the renewal date, the oldest
 * overdue invoice, the override's start), so the same condition keeps its id from day to day and a CRM upsert updates
 * one task instead of opening one per day.
 */
public final class HealthAlerts {
    /** The tiers from best to worst; no_data has no rank. */
    public static final List<String> TIER_ORDER = List.of("healthy", "needs_attention", "at_risk", "critical");

    private HealthAlerts() {
    }

    /**
     * What the alerts are computed from. Scores are account_health_scores rows, drivers account_health_drivers rows; an
     * earlier date with nothing is an empty Dataset of the same columns. {@code overrides} (account_id, valid_from,
     * valid_until, author, reason) is null without the csm_score_overrides input.
     */
    public record Inputs(Dataset<Row> now, Dataset<Row> previous, Dataset<Row> before30, Dataset<Row> drivers,
                         Dataset<Row> previousDrivers, Dataset<Row> renewals, Dataset<Row> overdue, Dataset<Row> overrides) {
    }

    /**
     * Per account, the renewal date of the paid subscription in force on {@code d}: the latest end_date of the periods with
     * MRR above 0 covering d. Accounts with an open period (no end_date) in force have none.
     */
    public static Dataset<Row> renewals(Dataset<Row> periods, LocalDate d) {
        Column day = lit(Date.valueOf(d));
        Column open = lit(Date.valueOf("9999-12-31"));
        return periods.where(col("mrr").gt(0).and(col("start_date").leq(day)).and(col("end_date").isNull().or(col("end_date").geq(day))))
                .groupBy("account_id").agg(max(coalesce(col("end_date"), open)).as("renewal_date"))
                .where(col("renewal_date").notEqual(open));
    }

    /**
     * Per account, the invoices issued by {@code d}, unpaid on d and due at least {@code overdueDays} days before d: how many,
     * and the oldest (earliest due, then smallest id) with its days overdue.
     */
    public static Dataset<Row> overdueInvoices(Dataset<Row> invoices, LocalDate d, int overdueDays) {
        Column day = lit(Date.valueOf(d));
        return invoices.where(col("issued_at").leq(day).and(col("paid_at").isNull().or(col("paid_at").gt(day)))
                        .and(datediff(day, col("due_at")).geq(overdueDays)))
                .groupBy("account_id")
                .agg(count(lit(1)).as("overdue_invoices"), min(struct(col("due_at"), col("invoice_id"))).as("_oldest"))
                .select(col("account_id"), col("overdue_invoices"), col("_oldest.invoice_id").as("oldest_invoice_id"),
                        col("_oldest.due_at").as("oldest_due_at"), datediff(day, col("_oldest.due_at")).as("days_overdue"));
    }

    /** The alerts of {@code d}: the health_alerts columns but alert_date and run_id. Only accounts scored on d get one. */
    public static Dataset<Row> alerts(Inputs in, ActionSettings.Alerts cfg, LocalDate d) {
        Column day = lit(Date.valueOf(d));
        Column today = lit(d.toString());
        List<Dataset<Row>> kinds = new ArrayList<>();

        // tier_dropped: against the account's previous score.
        Dataset<Row> prev = in.previous().select(col("account_id"), col("score_date").as("_p_date"), col("health_score").as("_p_score"),
                col("health_tier").as("_p_tier"));
        Dataset<Row> tiers = in.now().select("account_id", "health_score", "health_tier").join(prev, "account_id")
                .withColumn("_steps", rank(col("health_tier")).minus(rank(col("_p_tier"))))
                .where(col("_steps").gt(0));
        kinds.add(tiers.select(col("account_id"), lit("tier_dropped").as("alert_kind"), today.as("alert_subject"),
                col("_steps").cast("double").as("alert_value"), lit(1.0).as("alert_threshold"),
                concat(lit("Tier dropped from "), col("_p_tier"), lit(" to "), col("health_tier"), lit(" since the score of "),
                        date_format(col("_p_date"), "yyyy-MM-dd"), lit(" (score "), points(col("_p_score")), lit(" -> "),
                        points(col("health_score")), lit(").")).as("reason")));

        // score_drop: against the score 30 days before, the fall rounded to the scores' 2 decimals so 10.00 is 10.
        Dataset<Row> b30 = in.before30().select(col("account_id"), col("score_date").as("_b_date"), col("health_score").as("_b_score"));
        Column fall = round(col("_b_score").minus(col("health_score")), 2);
        Dataset<Row> drops = in.now().select("account_id", "health_score").join(b30, "account_id").withColumn("_fall", fall)
                .where(col("_fall").geq(cfg.scoreDropPoints()));
        kinds.add(drops.select(col("account_id"), lit("score_drop").as("alert_kind"), today.as("alert_subject"),
                col("_fall").as("alert_value"), lit(cfg.scoreDropPoints()).as("alert_threshold"),
                concat(lit("Score fell "), points(col("_fall")), lit(" points in 30 days ("), points(col("_b_score")), lit(" on "),
                        date_format(col("_b_date"), "yyyy-MM-dd"), lit(", "), points(col("health_score")), lit(" on "), today,
                        lit("); alert at "), lit(String.valueOf(cfg.scoreDropPoints())), lit(" points.")).as("reason")));

        // new_top_concern: only for accounts the previous drivers date had, so a new customer's first concern is no alert.
        Dataset<Row> top = topConcern(in.drivers());
        Dataset<Row> prevTop = topConcern(in.previousDrivers()).select(col("account_id"), col("metric").as("_p_metric"),
                col("dimension").as("_p_dimension"));
        Dataset<Row> known = in.previousDrivers().select("account_id").distinct();
        Dataset<Row> concerns = top.join(known, "account_id").join(prevTop, new String[] {"account_id"}, "left")
                .where(col("concern_points").geq(cfg.newConcernMinPoints())
                        .and(col("_p_metric").isNull().or(col("_p_metric").notEqual(col("metric")))));
        kinds.add(concerns.select(col("account_id"), lit("new_top_concern").as("alert_kind"),
                concat(today, lit(":"), col("metric")).as("alert_subject"), col("concern_points").as("alert_value"),
                lit(cfg.newConcernMinPoints()).as("alert_threshold"),
                concat(lit("New top concern: "), col("dimension"), lit(" / "), col("metric"), lit(", costing "),
                        format_number(col("concern_points"), 1), lit(" health points (before: "),
                        when(col("_p_metric").isNull(), lit("none")).otherwise(concat(col("_p_dimension"), lit(" / "), col("_p_metric"))),
                        lit(").")).as("reason")));

        // renewal_at_risk: the same renewal keeps its id every day of the window.
        Dataset<Row> renewing = in.now().where(col("health_tier").isin(cfg.renewalTiers().toArray()))
                .select("account_id", "health_score", "health_tier").join(in.renewals(), "account_id")
                .withColumn("_days", datediff(col("renewal_date"), day))
                .where(col("_days").between(0, cfg.renewalWindowDays()));
        kinds.add(renewing.select(col("account_id"), lit("renewal_at_risk").as("alert_kind"),
                date_format(col("renewal_date"), "yyyy-MM-dd").as("alert_subject"), col("_days").cast("double").as("alert_value"),
                lit((double) cfg.renewalWindowDays()).as("alert_threshold"),
                concat(lit("Renewal in "), col("_days"), lit(" days (the subscription in force ends "),
                        date_format(col("renewal_date"), "yyyy-MM-dd"), lit(") while "), col("health_tier"), lit(" (score "),
                        points(col("health_score")), lit(").")).as("reason")));

        // payment_overdue: involuntary-churn risk, keyed by the oldest invoice still unpaid.
        kinds.add(in.overdue().select(col("account_id"), lit("payment_overdue").as("alert_kind"), col("oldest_invoice_id").as("alert_subject"),
                col("days_overdue").cast("double").as("alert_value"), lit((double) cfg.paymentOverdueDays()).as("alert_threshold"),
                concat(col("overdue_invoices"), when(col("overdue_invoices").equalTo(1), lit(" invoice")).otherwise(lit(" invoices")),
                        lit(" unpaid past due, the oldest "), col("oldest_invoice_id"), lit(" due "),
                        date_format(col("oldest_due_at"), "yyyy-MM-dd"), lit(" ("), col("days_overdue"),
                        lit(" days overdue): involuntary-churn risk.")).as("reason")));

        // override_expiring: an override in force on D that ends soon, keyed by the override's start.
        if (in.overrides() != null) {
            Dataset<Row> ending = in.overrides().where(col("valid_from").leq(day).and(col("valid_until").geq(day)))
                    .withColumn("_days", datediff(col("valid_until"), day))
                    .where(col("_days").leq(cfg.overrideExpiryDays()));
            kinds.add(ending.select(col("account_id"), lit("override_expiring").as("alert_kind"),
                    concat(lit("override:"), date_format(col("valid_from"), "yyyy-MM-dd")).as("alert_subject"),
                    col("_days").cast("double").as("alert_value"), lit((double) cfg.overrideExpiryDays()).as("alert_threshold"),
                    concat(lit("The CSM override by "), col("author"), lit(" ("), col("reason"), lit(") ends in "), col("_days"),
                            lit(" days, on "), date_format(col("valid_until"), "yyyy-MM-dd"),
                            lit(": renew it or let the computed score stand.")).as("reason")));
        }

        Dataset<Row> all = kinds.get(0);
        for (Dataset<Row> k : kinds.subList(1, kinds.size())) {
            all = all.unionByName(k);
        }
        Dataset<Row> accounts = in.now().select("account_id", "account_name", "csm_owner", "mrr", "health_score", "health_tier");
        Dataset<Row> topSentence = top.select(col("account_id"), col("concern").as("top_concern"));
        return all.join(accounts, "account_id").join(topSentence, new String[] {"account_id"}, "left")
                .withColumn("alert_id", substring(sha2(concat_ws("|", col("account_id"), col("alert_kind"), col("alert_subject")), 256), 1, 32));
    }

    /** Each account's rank-1 concern of a drivers date: account_id, metric, dimension, concern_points, concern. */
    private static Dataset<Row> topConcern(Dataset<Row> drivers) {
        return drivers.where(col("concern_rank").equalTo(1))
                .select("account_id", "metric", "dimension", "concern_points", "concern");
    }

    /** 0 (healthy) to 3 (critical); null for no_data. */
    private static Column rank(Column tier) {
        Column out = null;
        for (int i = 0; i < TIER_ORDER.size(); i++) {
            out = out == null ? when(tier.equalTo(TIER_ORDER.get(i)), lit(i)) : out.when(tier.equalTo(TIER_ORDER.get(i)), lit(i));
        }
        return out;
    }

    private static Column points(Column score) {
        return format_number(score, 2);
    }
}
