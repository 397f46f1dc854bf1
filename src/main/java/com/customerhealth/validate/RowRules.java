package com.customerhealth.validate;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.config.ValidationSettings;
import com.customerhealth.contract.TableSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * The table-specific row rules of the input contract (docs/input-contract.md, "Validation"). The generic ones
 * (unparseable value, null required value, unknown account, date after the run date) are added by
 * {@link InputValidator} for every table.
 */
final class RowRules {
    private RowRules() {
    }

    static List<RowRule> forTable(TableSpec table, ValidationSettings v) {
        List<RowRule> rules = new ArrayList<>();
        switch (table.name()) {
            case "accounts" -> {
                rules.add(new RowRule("negative_value", "employee_count", col("employee_count").lt(0)));
                rules.add(new RowRule("first_value_before_onboarding", "first_value_at",
                        col("first_value_at").lt(col("onboarded_at"))));
            }
            case "subscription_periods" -> {
                rules.add(new RowRule("negative_mrr", "mrr", col("mrr").lt(0)));
                rules.add(new RowRule("negative_value", "seats", col("seats").lt(0)));
                rules.add(new RowRule("period_ends_before_start", "end_date", col("end_date").lt(col("start_date"))));
            }
            case "churn_events" -> rules.add(new RowRule("invalid_churn_type", "churn_type",
                    not(col("churn_type").isin("voluntary", "involuntary"))));
            case "usage_daily" -> {
                for (String c : List.of("active_users", "sessions", "key_feature_events", "features_used")) {
                    rules.add(new RowRule("negative_value", c, col(c).lt(0)));
                }
            }
            case "support_tickets" -> {
                rules.add(new RowRule("resolved_before_opened", "resolved_at", col("resolved_at").lt(col("opened_at"))));
                rules.add(new RowRule("invalid_priority", "priority", not(col("priority").isin(v.ticketPriorities().toArray()))));
                rules.add(new RowRule("negative_value", "contacts_to_resolve", col("contacts_to_resolve").lt(0)));
                rules.add(new RowRule("csat_out_of_scale", "csat", col("csat").lt(1).or(col("csat").gt(5))));
            }
            case "survey_responses" -> {
                rules.add(new RowRule("invalid_survey_type", "survey_type",
                        not(col("survey_type").isin(v.surveyScales().keySet().toArray()))));
                Column outOfScale = lit(false);
                for (Map.Entry<String, ValidationSettings.ScoreScale> e : v.surveyScales().entrySet()) {
                    outOfScale = when(col("survey_type").equalTo(e.getKey()),
                            col("score").lt(e.getValue().min()).or(col("score").gt(e.getValue().max())))
                            .otherwise(outOfScale);
                }
                rules.add(new RowRule("score_out_of_scale", "score", outOfScale));
            }
            case "invoices" -> {
                rules.add(new RowRule("negative_amount", "amount", col("amount").lt(0)));
                rules.add(new RowRule("due_before_issued", "due_at", col("due_at").lt(col("issued_at"))));
            }
            case "csm_assessments" -> {
                for (String c : List.of("relationship_rating", "engagement", "growth_potential")) {
                    rules.add(new RowRule("rating_out_of_scale", c, col(c).lt(1).or(col(c).gt(5))));
                }
                rules.add(new RowRule("invalid_renewal_intent", "renewal_intent",
                        not(col("renewal_intent").isin("committed", "neutral", "apprehensive"))));
            }
            case "csm_score_overrides" -> {
                rules.add(new RowRule("missing_reason", "reason", col("reason").isNull().or(trim(col("reason")).equalTo(""))));
                rules.add(new RowRule("tier_or_score", "override_tier", col("override_tier").isNull().equalTo(col("override_score").isNull())));
                rules.add(new RowRule("invalid_override_tier", "override_tier",
                        not(col("override_tier").isin("healthy", "needs_attention", "at_risk", "critical"))));
                rules.add(new RowRule("score_out_of_scale", "override_score", col("override_score").lt(0).or(col("override_score").gt(100))));
                rules.add(new RowRule("period_ends_before_start", "valid_until", col("valid_until").lt(col("valid_from"))));
                // Two overrides of one account whose periods share a day: neither applies (which would win is not the job's to guess).
                // In valid_from order, a row overlaps an earlier one when it starts by the latest end before it, and a later one when
                // the next starts by its own end; an open end is the end of time.
                Column end = coalesce(col("valid_until"), lit(java.sql.Date.valueOf("9999-12-31")));
                WindowSpec byStart = Window.partitionBy("account_id").orderBy("valid_from");
                rules.add(new RowRule("overlapping_override", "valid_from",
                        col("valid_from").leq(max(end).over(byStart.rowsBetween(Window.unboundedPreceding(), -1)))
                                .or(lead(col("valid_from"), 1).over(byStart).leq(end))));
            }
            default -> throw new IllegalArgumentException("No rules for " + table.name());
        }
        return rules;
    }
}
