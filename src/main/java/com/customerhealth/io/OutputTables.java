package com.customerhealth.io;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import com.customerhealth.contract.WarehouseContract;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Every output table of the product. docs/output-tables.md is generated from it. */
public final class OutputTables {

    public static final OutputTable REJECTED_ROWS = new OutputTable("rejected_rows",
            "Input rows quarantined by validation, with the rule they broke. Replaced per run_date and table.",
            schema(
                    field("run_id", StringType, false, "Run that quarantined the row."),
                    field("run_date", DateType, false, "The --run-date of that run (partition column)."),
                    field("table_name", StringType, false, "Contract table the row came from."),
                    field("rule", StringType, false, "First rule the row broke (docs/input-contract.md, Validation)."),
                    field("column_name", StringType, false, "Contract column that rule checks."),
                    field("violations", DataTypes.createArrayType(StringType), false,
                            "Every rule:column the row broke, in rule order."),
                    field("row_json", StringType, false, "The row as read from the source, contract column names, as JSON.")),
            Optional.of("run_date"));

    private static final StructField[] SCORE_COLUMNS = {
            field("score_date", DateType, false, "As-of date D of the score: the run's --run-date. Features use only rows dated on or before D."),
            field("account_id", StringType, false, "Account."),
            field("account_name", StringType, true, "Account name, from accounts."),
            field("industry", StringType, true, "Industry, from accounts."),
            field("size_band", StringType, true, "Company-size band from employee_count (segments.size-bands)."),
            field("csm_owner", StringType, true, "CSM owning the account, from accounts."),
            field("mrr", WarehouseContract.MONEY, false, "MRR on D: sum of the MRR of subscription periods covering D."),
            field("seats", LongType, false, "Licensed seats on D: sum over subscription periods covering D."),
            field("health_score", DoubleType, true,
                    "Health score 0-100, 2 decimals: weighted mean of the dimension scores that have data; null when no metric has data."),
            field("health_tier", StringType, false, "healthy, needs_attention, at_risk, critical (by the tiers in conf), or no_data when no metric had data."),
            field("relationship_score", DoubleType, true, "Relationship-quality dimension 0-100: weighted mean of its metrics with data."),
            field("usage_score", DoubleType, true, "Product-usage dimension 0-100."),
            field("value_score", DoubleType, true, "Value-realisation dimension 0-100."),
            field("component_scores", DataTypes.createMapType(StringType, DoubleType, true), false,
                    "Metric name -> its 0-100 component score (null when the metric had no data)."),
            field("metric_values", DataTypes.createMapType(StringType, DoubleType, true), false,
                    "Metric name -> the raw feature value in its own unit, before normalisation."),
            field("missing_components", DataTypes.createArrayType(StringType), false,
                    "Metrics with no data for the account on D; left out, the others renormalised."),
            field("weight_coverage", DoubleType, false,
                    "Share (0-1) of the model's total prior weight carried by metrics that had data."),
            field("weights_version", StringType, false, "Weights version scored with: <preset>@prior-<digest>, a calibrated version, or "
                    + "the approved scorecard of the account's industry (else of its size band), <version>/<grouping>=<segment> "
                    + "(docs/calibration.md, Segment versions)."),
            field("run_id", StringType, false, "Run that wrote the row."),
            field("churn_probability_90d", DoubleType, true,
                    "Probability (0-1) that the account churns within calibration.horizon-days (90) of score_date, read from "
                            + "health_score by the score-to-probability map the newest calibrate run (on or before score_date) fitted "
                            + "for weights_version (a segment version's own map, fitted on its segment's training rows); null when "
                            + "health_score is null or no calibrate run has fitted a map for that version yet (a calibrate run fills in "
                            + "its run date's rows), or the segment's training rows gave none (no churners or no stayers). "
                            + "docs/calibration.md, From score to money."),
            field("mrr_at_risk", WarehouseContract.MONEY, true,
                    "churn_probability_90d x mrr, to the cent: the MRR expected to churn within the horizon; null when the probability is."),
            field("final_health_score", DoubleType, true, "The score to show: override_score of a CSM override in force on score_date, "
                    + "else health_score (the computed score, which calibration, drivers, trends and alerts use)."),
            field("final_health_tier", StringType, false, "The tier to show: the override's tier (or the tier of its score) when one is "
                    + "in force, else health_tier."),
            field("override_applied", BooleanType, false, "Whether a csm_score_overrides row was in force on score_date (valid_from <= "
                    + "score_date <= valid_until)."),
            field("override_reason", StringType, true, "The override's reason; null when none applied."),
            field("override_author", StringType, true, "Who set the override; null when none applied."),
    };

    public static final OutputTable ACCOUNT_HEALTH_SCORES = new OutputTable("account_health_scores",
            "Health score of every customer account per score_date. One partition per date, replaced atomically on re-run.",
            schema(SCORE_COLUMNS), Optional.of("score_date"));

    public static final OutputTable ACCOUNT_HEALTH_CURRENT = new OutputTable("account_health_current",
            "Latest health score of every account: one row per account, always the newest row of account_health_scores (merged each run; a back-fill never overwrites a newer score; a re-run that no longer scores an account falls back to its previous score, or removes it). Former customers keep their last score: filter on is_current_customer for today's customers.",
            schema(withCurrentFlag(SCORE_COLUMNS)), Optional.empty());

    /** account_health_current's column that tells today's customers from former ones (set by DeltaTables.refreshLatest). */
    public static final String CURRENT_FLAG = "is_current_customer";

    private static StructField[] withCurrentFlag(StructField[] columns) {
        StructField[] all = java.util.Arrays.copyOf(columns, columns.length + 1);
        all[columns.length] = field(CURRENT_FLAG, BooleanType, false, "True when the row is of the table's newest score_date: the "
                + "account is a customer on the latest date scored. False for a former customer whose newest score is older "
                + "(the scores of past dates that cohorts and insights compute keep accounts that have since left).");
        return all;
    }

    private static final StructField AS_OF_MONTH = field("as_of_month", DateType, false,
            "Last complete month end on or before the run date: the data's version (partition column). Every run date "
            + "in the same month rewrites the same partition.");
    private static final StructField GROUPING = field("grouping", StringType, false,
            "Which roll-up the row is: industry x size_band x cohort, industry, size_band, cohort or overall.");
    private static final StructField INDUSTRY = field("industry", StringType, true, "Industry; null when the grouping rolls it up.");
    private static final StructField SIZE_BAND = field("size_band", StringType, true, "Size band; null when the grouping rolls it up.");
    private static final StructField COHORT = field("onboarding_cohort", StringType, true,
            "Onboarding cohort (month 2024-03 or quarter 2024-Q1, cohorts.cohort-grain); null when rolled up.");
    private static final StructField RUN_ID = field("run_id", StringType, false, "Run that wrote the row.");

    private static StructField money(String name, String comment) {
        return field(name, WarehouseContract.MONEY, false, comment);
    }

    private static StructField count(String name, String comment) {
        return field(name, LongType, false, comment);
    }

    private static StructField ratio(String name, String comment) {
        return field(name, DoubleType, true, comment);
    }

    public static final OutputTable MRR_MOVEMENTS = new OutputTable("mrr_movements",
            "MRR movement of every account and month, from its first month as a customer to the last complete month.",
            schema(AS_OF_MONTH,
                    field("month_end", DateType, false, "Month M, by its last day: MRR is measured on that day."),
                    field("account_id", StringType, false, "Account."),
                    INDUSTRY, SIZE_BAND, COHORT,
                    money("mrr_begin", "MRR at the end of M-1 (0 when not a customer then)."),
                    money("mrr_end", "MRR at the end of M: sum over the subscription periods covering M's last day."),
                    count("seats_begin", "Seats at the end of M-1."),
                    count("seats_end", "Seats at the end of M."),
                    money("new_mrr", "mrr_end when the account is above zero for the first time ever in M, else 0."),
                    money("expansion_mrr", "mrr_end - mrr_begin when both are above zero and MRR rose, else 0."),
                    money("reactivation_mrr", "mrr_end when MRR went from 0 back above zero after having been a customer before, else 0."),
                    money("contraction_mrr", "mrr_begin - mrr_end when both are above zero and MRR fell, else 0."),
                    money("churned_mrr", "mrr_begin when MRR went from above zero to zero, else 0."),
                    field("movement", StringType, false, "new, expansion, contraction, churn, reactivation or none."),
                    field("churn_type", StringType, true,
                            "For churn: the churn_events type of the account's event in M, else cohorts.lapse-churn-type; null otherwise."),
                    field("seat_reduction", BooleanType, false, "A customer at the end of both M-1 and M, with fewer seats at the end of M."),
                    money("mrr_12m_before", "MRR 12 months before M (0 when not a customer then): the base of the trailing-twelve-month rates."),
                    count("periods_due", "Paid subscription periods of the account ending in M whose renewal window (cohorts.renewal-grace-days) closed by as_of_month."),
                    count("periods_renewed", "Of those, periods followed by another paid period of the account starting at most cohorts.renewal-grace-days days after the day following their end."),
                    RUN_ID),
            Optional.of("as_of_month"));

    public static final OutputTable REVENUE_METRICS_MONTHLY = new OutputTable("revenue_metrics_monthly",
            "Revenue metrics per month and roll-up. mrr_begin + new + expansion + reactivation - contraction - churned = mrr_end on every row.",
            schema(AS_OF_MONTH,
                    field("month_end", DateType, false, "Month M, by its last day."),
                    GROUPING, INDUSTRY, SIZE_BAND, COHORT,
                    count("customers_begin", "Accounts with MRR > 0 at the end of M-1."),
                    count("customers_end", "Accounts with MRR > 0 at the end of M."),
                    count("new_customers", "Accounts whose movement in M is new."),
                    count("reactivated_customers", "Accounts whose movement in M is reactivation."),
                    count("churned_customers", "Accounts whose movement in M is churn."),
                    count("churned_voluntary", "Churned accounts whose churn_type is voluntary."),
                    count("churned_involuntary", "Churned accounts whose churn_type is involuntary."),
                    money("mrr_begin", "Sum of mrr_begin."),
                    money("new_mrr", "Sum of new_mrr."),
                    money("expansion_mrr", "Sum of expansion_mrr."),
                    money("reactivation_mrr", "Sum of reactivation_mrr."),
                    money("contraction_mrr", "Sum of contraction_mrr."),
                    money("churned_mrr", "Sum of churned_mrr."),
                    money("mrr_end", "Sum of mrr_end."),
                    ratio("logo_churn_rate", "churned_customers / customers_begin (customers at the start of M not customers at its end)."),
                    ratio("logo_retention_rate", "1 - logo_churn_rate."),
                    ratio("revenue_churn_rate", "(churned_mrr + contraction_mrr) / mrr_begin."),
                    ratio("grr", "Gross revenue retention of M: (mrr_begin - churned_mrr - contraction_mrr) / mrr_begin."),
                    ratio("nrr", "Net revenue retention of M: (mrr_begin - churned_mrr - contraction_mrr + expansion_mrr) / mrr_begin."),
                    ratio("grr_ttm", "Trailing twelve months GRR over the customers present 12 months before M: "
                            + "(their MRR then - churned - contracted since) / their MRR then, comparing MRR 12 months before with MRR at M."),
                    ratio("nrr_ttm", "Trailing twelve months NRR over the same customers: their MRR at M / their MRR 12 months before."),
                    ratio("arpa", "Average MRR per customer: mrr_end / customers_end."),
                    count("accounts_with_seat_reduction", "Near-churn signal: customers whose seats fell in M."),
                    count("accounts_with_contraction", "Near-churn signal: accounts with a contraction in M."),
                    count("periods_due", "Paid subscription periods that came due (ended) in M, their renewal window closed by as_of_month."),
                    count("periods_renewed", "Of those, periods renewed: a next paid period starting at most cohorts.renewal-grace-days days after the day following their end."),
                    ratio("renewal_rate", "periods_renewed / periods_due."),
                    ratio("clv", "Simple customer lifetime value: arpa x cohorts.gross-margin / monthly logo churn, the churn pooled "
                            + "(sum of churned / sum of customers_begin) over the trailing cohorts.clv-churn-window-months months; null without churn."),
                    RUN_ID),
            Optional.of("as_of_month"));

    public static final OutputTable COHORT_CHURN = new OutputTable("cohort_churn",
            "Churn over the trailing cohorts.period-months months by industry x size band x onboarding cohort and every roll-up.",
            schema(AS_OF_MONTH,
                    field("period_start", DateType, false, "Month end the period starts at: as_of_month minus cohorts.period-months."),
                    GROUPING, INDUSTRY, SIZE_BAND, COHORT,
                    count("accounts_onboarded", "Accounts of the group onboarded on or before as_of_month."),
                    count("customers_start", "Customers (MRR > 0) at period_start."),
                    count("churned", "Of customers_start, accounts that are not customers at as_of_month."),
                    count("churned_voluntary", "Of churned, those whose last churn in the period is voluntary."),
                    count("churned_involuntary", "Of churned, those whose last churn in the period is involuntary."),
                    ratio("logo_churn_rate", "churned / customers_start."),
                    ratio("logo_churn_ci_low", "Lower bound of the 95% Wilson interval of logo_churn_rate."),
                    ratio("logo_churn_ci_high", "Upper bound of the 95% Wilson interval of logo_churn_rate."),
                    ratio("retention_rate", "1 - logo_churn_rate."),
                    money("mrr_start", "MRR at period_start of customers_start."),
                    money("churned_mrr", "Their MRR at period_start, for those with no MRR at as_of_month."),
                    money("contraction_mrr", "MRR at period_start - MRR at as_of_month, for those still customers with less MRR."),
                    money("expansion_mrr", "MRR at as_of_month - MRR at period_start, for those with more MRR."),
                    ratio("revenue_churn_rate", "(churned_mrr + contraction_mrr) / mrr_start."),
                    ratio("grr", "(mrr_start - churned_mrr - contraction_mrr) / mrr_start."),
                    ratio("nrr", "(mrr_start - churned_mrr - contraction_mrr + expansion_mrr) / mrr_start."),
                    count("accounts_with_seat_reduction", "Near-churn signal: customers_start accounts whose seats fell in some month of the period."),
                    count("accounts_with_contraction", "Near-churn signal: customers_start accounts with a contraction in some month of the period."),
                    field("small_cohort", BooleanType, false, "customers_start below cohorts.min-cohort-size: read the rates with care."),
                    RUN_ID),
            Optional.of("as_of_month"));

    public static final OutputTable COHORT_RETENTION = new OutputTable("cohort_retention",
            "Kaplan-Meier retention curves: share of a group still a customer k months after onboarding, accounts still "
                    + "customers at as_of_month counted as censored, not as survivors.",
            schema(AS_OF_MONTH,
                    field("grouping", StringType, false, "Which curve: cohort, industry, size_band or overall."),
                    INDUSTRY, SIZE_BAND, COHORT,
                    count("cohort_accounts", "Accounts of the group that became customers."),
                    field("months_since_onboarding", IntegerType, false,
                            "k: whole months from the onboarding month to the month of the first churn (or of as_of_month)."),
                    count("at_risk", "Accounts still followed at k: first churn or end of observation at k or later."),
                    count("churned", "Accounts whose first churn is at k."),
                    count("censored", "Accounts still customers whose observation ends at k."),
                    ratio("retention", "Kaplan-Meier survival: product over j <= k of (1 - churned_j / at_risk_j)."),
                    field("small_cohort", BooleanType, false, "cohort_accounts below cohorts.min-cohort-size."),
                    RUN_ID),
            Optional.of("as_of_month"));

    public static final OutputTable HEALTH_TIER_CHURN = new OutputTable("health_tier_churn",
            "Does the score predict churn? Accounts scored at run date - horizon, and the share that churned within the horizon, "
                    + "per tier and per 10-point score band.",
            schema(field("as_of_date", DateType, false, "The run date D (partition column)."),
                    field("scored_at", DateType, false, "D - cohorts.horizon-days: the score date the accounts are read at."),
                    field("horizon_days", IntegerType, false, "cohorts.horizon-days."),
                    field("weights_version", StringType, false, "Weights version of the scores read."),
                    field("grouping", StringType, false, "tier, score_band or overall."),
                    field("bucket", StringType, false, "The tier (healthy ...), the band (0-10 ... 90-100, 100 in 90-100, no_data) or all."),
                    count("accounts", "Accounts scored at scored_at in the bucket."),
                    count("churned", "Of those, accounts with a churn_events row in (scored_at, D] or no longer a customer on D."),
                    ratio("churn_rate", "churned / accounts."),
                    ratio("churn_ci_low", "Lower bound of the 95% Wilson interval of churn_rate."),
                    ratio("churn_ci_high", "Upper bound of the 95% Wilson interval of churn_rate."),
                    ratio("mean_score", "Mean health_score of the bucket's accounts."),
                    ratio("mean_score_churned", "Mean health_score of the bucket's churned accounts."),
                    ratio("mean_score_retained", "Mean health_score of the bucket's retained accounts."),
                    RUN_ID),
            Optional.of("as_of_date"));

    public static final OutputTable EXPERIENCE_METRICS_MONTHLY = new OutputTable("experience_metrics_monthly",
            "Customer-experience metrics per month: per account (months with any experience data) and rolled up by "
                    + "industry, size band, onboarding cohort and overall (every month). Ratios are null, not 0, when their "
                    + "denominator is 0.",
            schema(
                    field("as_of_month", DateType, false,
                            "Last complete month end on or before the run date: the data's version (partition column). Every run date "
                                    + "in the same month rewrites the same partition."),
                    field("month_end", DateType, false,
                            "Month M, by its last day. Events count in M when dated after the previous month end and on or before month_end."),
                    field("grouping", StringType, false,
                            "Which roll-up the row is: account (one row per account and month with a survey response, a resolved "
                                    + "ticket, first value or a current CSM assessment in M), industry, size_band, cohort (a row when the "
                                    + "group has such data in M) or overall (a row for every month, data or not). Accounts whose accounts "
                                    + "row was quarantined are left out."),
                    field("account_id", StringType, true, "Account; null unless grouping is account."),
                    field("industry", StringType, true, "Industry; null when the grouping rolls it up."),
                    field("size_band", StringType, true, "Size band; null when the grouping rolls it up."),
                    field("onboarding_cohort", StringType, true,
                            "Onboarding cohort (month 2024-03 or quarter 2024-Q1, cohorts.cohort-grain); null when rolled up."),
                    count("nps_responses", "NPS survey responses (survey_type NPS) dated in M."),
                    count("nps_promoters", "Of those, promoters: score 9 or more (9-10)."),
                    count("nps_detractors", "Of those, detractors: score 6 or less (0-6)."),
                    ratio("nps", "Net promoter score, -100..100: 100 x (nps_promoters - nps_detractors) / nps_responses."),
                    count("csat_responses", "CSAT survey responses (survey_type CSAT) dated in M."),
                    count("csat_positive", "Of those, positive answers: score 4 or more (4-5)."),
                    ratio("csat", "CSAT as a share 0-1: csat_positive / csat_responses."),
                    count("ces_responses", "CES survey responses (survey_type CES) dated in M."),
                    ratio("ces_mean", "Mean CES score of those responses, rounded to 4 decimals."),
                    field("ces_distribution", DataTypes.createMapType(IntegerType, LongType, false), false,
                            "CES answer (score rounded to the nearest integer, halves up) -> number of those responses; empty without responses."),
                    count("tickets_resolved", "Support tickets with resolved_at in M (whenever opened)."),
                    count("first_contact_resolved", "Of those, tickets with contacts_to_resolve = 1."),
                    ratio("fcr_rate", "First-contact resolution rate: first_contact_resolved / tickets_resolved."),
                    ratio("median_resolution_days",
                            "Exact median (percentile 0.5: the mean of the two middle values for an even count) of resolved_at - "
                                    + "opened_at in days over the tickets resolved in M, pooled over the group's tickets (not a median of medians)."),
                    count("ticket_csat_responses", "Tickets resolved in M with a csat answer."),
                    count("ticket_csat_positive", "Of those, tickets with csat 4 or more (4-5)."),
                    ratio("ticket_csat", "Ticket CSAT as a share 0-1: ticket_csat_positive / ticket_csat_responses."),
                    count("accounts_reached_value", "Accounts whose first_value_at is in M."),
                    ratio("mean_ttfv_days", "Mean time to first value of those accounts: first_value_at - onboarded_at in days."),
                    ratio("median_ttfv_days", "Exact median (percentile 0.5) of the same time to first value, in days."),
                    count("accounts_assessed",
                            "Accounts with a CSM assessment dated on or before month_end and less than 365 days before it."),
                    count("accounts_referenceable", "Of those, accounts whose latest such assessment has referenceable = true."),
                    ratio("referenceable_share", "accounts_referenceable / accounts_assessed."),
                    field("small_group", BooleanType, false,
                            "Some figure of the row rests on fewer than min-group-size observations: one of nps_responses, "
                                    + "csat_responses, ces_responses, tickets_resolved, ticket_csat_responses, accounts_reached_value, "
                                    + "accounts_assessed is above 0 and below it. Read the figures with care."),
                    RUN_ID),
            Optional.of("as_of_month"));

    private static final StructField SCORE_DATE = field("score_date", DateType, false, "Run date D the scores are of (partition column).");
    private static final StructField ACCOUNT_ID = field("account_id", StringType, false, "Account.");
    private static final StructField ACCOUNT_NAME = field("account_name", StringType, true, "Account name.");
    private static final StructField ACCOUNT_INDUSTRY = field("industry", StringType, true, "Industry.");
    private static final StructField ACCOUNT_SIZE_BAND = field("size_band", StringType, true, "Size band.");
    private static final StructField CSM_OWNER = field("csm_owner", StringType, true, "CSM owning the account.");

    public static final OutputTable ACCOUNT_HEALTH_DRIVERS = new OutputTable("account_health_drivers",
            "Areas of concern: per scored account and metric, the health points the metric costs against the account's own "
                    + "component 30 and 90 days before and against the healthy accounts of its industry x size band, ranked per "
                    + "account, with the score trend.",
            schema(
                    SCORE_DATE,
                    ACCOUNT_ID, ACCOUNT_NAME, ACCOUNT_INDUSTRY, ACCOUNT_SIZE_BAND, CSM_OWNER,
                    field("health_score", DoubleType, true, "Health score on D."),
                    field("health_tier", StringType, false, "Health tier on D."),
                    field("score_30d_ago", DoubleType, true, "Health score on D - 30 days; null when not a customer then."),
                    field("score_90d_ago", DoubleType, true, "Health score on D - 90 days; null when not a customer then."),
                    field("score_change_30d", DoubleType, true, "health_score - score_30d_ago."),
                    field("score_change_90d", DoubleType, true, "health_score - score_90d_ago."),
                    field("trend", StringType, false,
                            "falling (score_change_30d <= -insights.trend-threshold), rising (>= threshold), stable, new (no score 30 days ago) or no_data (no score on D)."),
                    field("trend_weights_changed", BooleanType, false,
                            "true when the score 30 or 90 days ago was made with another weights version: the change then mixes a weights change with a health change."),
                    field("dimension", StringType, false, "Dimension of the metric."),
                    field("metric", StringType, false, "Metric of the model."),
                    field("feature", StringType, false, "Source feature of the metric (docs/health-model.md, Feature catalog): the unit of value."),
                    field("weight_points", DoubleType, false,
                            "The metric's weight in the weights version the account was scored with (weights_version: the global one or its segment's scorecard), points of 100."),
                    field("component", DoubleType, true, "Component score 0-100 on D; null without data."),
                    field("value", DoubleType, true, "The metric's raw value on D, in the feature's own unit (e.g. active users per seat)."),
                    field("component_30d_ago", DoubleType, true, "Component score on D - 30 days."),
                    field("value_30d_ago", DoubleType, true, "Raw value on D - 30 days."),
                    field("component_90d_ago", DoubleType, true, "Component score on D - 90 days."),
                    field("value_90d_ago", DoubleType, true, "Raw value on D - 90 days."),
                    field("peer_component", DoubleType, true,
                            "Median component of the healthy accounts (tier healthy) of the same industry x size band on D."),
                    field("peer_value", DoubleType, true, "Median raw value of those healthy peers."),
                    field("peer_healthy_accounts", LongType, true, "How many healthy peers the medians come from."),
                    field("points_lost_vs_30d", DoubleType, true,
                            "weight_points x (component_30d_ago - component) / 100: health points the metric's change over 30 days cost (negative: gained)."),
                    field("points_lost_vs_90d", DoubleType, true, "The same against 90 days before."),
                    field("points_lost_vs_peers", DoubleType, true, "weight_points x (peer_component - component) / 100."),
                    field("concern_points", DoubleType, true, "The largest of the three points_lost columns (those that exist)."),
                    field("concern_rank", IntegerType, true, "1 = the metric costing the account most; null when concern_points is not above 0."),
                    field("concern", StringType, true,
                            "The concern in a sentence a CSM can read, for the top insights.top-concerns ranks; null otherwise."),
                    field("weights_version", StringType, false, "Weights version of the account's score (the global one or its segment's scorecard)."),
                    RUN_ID),
            Optional.of("score_date"));

    public static final OutputTable PEER_BENCHMARKS = new OutputTable("peer_benchmarks",
            "Healthiest peers: the spread of the health score and of every component per industry x size band, industry, size "
                    + "band and overall on D, with the healthy accounts' median and the accounts per tier.",
            schema(
                    SCORE_DATE,
                    field("grouping", StringType, false, "industry x size_band, industry, size_band or overall."),
                    field("industry", StringType, true, "Industry; null when rolled up."),
                    field("size_band", StringType, true, "Size band; null when rolled up."),
                    field("measure", StringType, false, "health_score, or a metric name (its component score)."),
                    field("accounts", LongType, false, "Accounts scored on D in the group."),
                    field("accounts_with_value", LongType, false, "Of those, accounts with a value of the measure."),
                    field("p25", DoubleType, true,
                            "First quartile of the measure: the smallest value with at least 25% of the group's values at or below it (exact up to 10,000 accounts)."),
                    field("median", DoubleType, true, "Median of the measure, the same definition at 50%."),
                    field("p75", DoubleType, true, "Third quartile, the same definition at 75%."),
                    field("healthy_median", DoubleType, true, "Median of the measure among the group's healthy accounts."),
                    field("healthy_median_raw_value", DoubleType, true,
                            "Median raw metric value (its own unit) among the group's healthy accounts; null for health_score."),
                    field("healthy", LongType, false, "Accounts in tier healthy."),
                    field("needs_attention", LongType, false, "Accounts in tier needs_attention."),
                    field("at_risk", LongType, false, "Accounts in tier at_risk."),
                    field("critical", LongType, false, "Accounts in tier critical."),
                    field("small_group", BooleanType, false, "accounts below insights.min-group-size: read with care."),
                    RUN_ID),
            Optional.of("score_date"));

    public static final OutputTable CUSTOMER_SEGMENTS = new OutputTable("customer_segments",
            "Every customer on D in one of four segments (seed 004): vip, potential, core, secondary, by the rules in "
                    + "insights.segments.",
            schema(
                    SCORE_DATE,
                    ACCOUNT_ID, ACCOUNT_NAME, ACCOUNT_INDUSTRY, ACCOUNT_SIZE_BAND, CSM_OWNER,
                    field("mrr", WarehouseContract.MONEY, false, "MRR on D."),
                    field("health_score", DoubleType, true, "Health score on D."),
                    field("health_tier", StringType, false, "Health tier on D."),
                    field("growth_rating", DoubleType, true, "Latest CSM growth_potential (1-5) in the last 180 days; null when none."),
                    field("seat_utilisation", DoubleType, true, "Active-user ratio over the last 30 days (usage.active_user_ratio)."),
                    field("mrr_growth_90d", DoubleType, true, "MRR on D / MRR on D - 90 days - 1; null when no MRR then."),
                    field("signal_growth_rating", BooleanType, false, "growth_rating >= insights.segments.potential-min-growth-rating."),
                    field("signal_seats_full", BooleanType, false, "seat_utilisation >= insights.segments.expansion-seat-utilisation."),
                    field("signal_mrr_growing", BooleanType, false, "mrr_growth_90d >= insights.segments.expansion-mrr-growth."),
                    field("segment", StringType, false,
                            "vip (MRR at or above vip_mrr_cut and healthy), potential (MRR below median_mrr and a growth signal), "
                                    + "core (MRR at or above median_mrr), secondary (the rest); first match wins."),
                    field("segment_reason", StringType, false, "Why, in words."),
                    field("vip_mrr_cut", DoubleType, false,
                            "The MRR of the top insights.segments.vip-top-share of D's customers (its 1 - share quantile)."),
                    field("median_mrr", DoubleType, false, "Median MRR of D's customers."),
                    RUN_ID),
            Optional.of("score_date"));

    public static final OutputTable SEGMENT_TIER_SUMMARY = new OutputTable("segment_tier_summary",
            "Accounts and MRR per segment x health tier on D (and per segment, tier all): where effort pays.",
            schema(
                    SCORE_DATE,
                    field("segment", StringType, false, "vip, potential, core or secondary."),
                    field("health_tier", StringType, false, "A health tier, or all."),
                    field("accounts", LongType, false, "Customers in the segment and tier."),
                    field("mrr", WarehouseContract.MONEY, false, "Their MRR on D."),
                    field("mrr_share", DoubleType, true, "mrr / the MRR of all customers on D."),
                    RUN_ID),
            Optional.of("score_date"));

    public static final OutputTable SUCCESS_PROFILE = new OutputTable("success_profile",
            "Accounts like this stay: for each value of an account characteristic, its share among the accounts that stayed "
                    + "healthy customers over the look-back and among those that churned voluntarily, the lift and Wilson "
                    + "intervals, ranked by lift.",
            schema(
                    field("as_of_date", DateType, false, "The run date D (partition column): outcomes are read at D."),
                    field("period_start", DateType, false, "D - period_days: the population is the customers (MRR > 0) on this date."),
                    field("period_days", IntegerType, false, "Look-back Y in days (default 365)."),
                    field("characteristic", StringType, false,
                            "industry, size_band, onboarding_year, ttfv_band, initial_seats_band or initial_mrr_band."),
                    field("value", StringType, false,
                            "The characteristic's value: an industry, a size band, a year, a band (0-29, 5-19, <500 ...), never "
                                    + "(ttfv: no first value by D) or unknown."),
                    field("retained_healthy", LongType, false,
                            "Accounts with the value that were customers on period_start, did not churn by D and are healthy in D's scores."),
                    field("retained_healthy_total", LongType, false, "All retained-healthy accounts."),
                    field("share_retained_healthy", DoubleType, true, "retained_healthy / retained_healthy_total."),
                    field("share_rh_ci_low", DoubleType, true, "Lower bound of the 95% Wilson interval of share_retained_healthy."),
                    field("share_rh_ci_high", DoubleType, true, "Upper bound of the 95% Wilson interval of share_retained_healthy."),
                    field("churned", LongType, false,
                            "Accounts with the value that were customers on period_start and churned voluntarily by D (a voluntary "
                                    + "churn event, or a lapse counted as cohorts.lapse-churn-type); involuntary-only churners are left out."),
                    field("churned_total", LongType, false, "All churned accounts."),
                    field("share_churned", DoubleType, true, "churned / churned_total."),
                    field("share_churned_ci_low", DoubleType, true, "Lower bound of the 95% Wilson interval of share_churned."),
                    field("share_churned_ci_high", DoubleType, true, "Upper bound of the 95% Wilson interval of share_churned."),
                    field("lift", DoubleType, true,
                            "share_retained_healthy / share_churned: above 1 when the value is commoner among accounts that stay; "
                                    + "null when share_churned is 0."),
                    field("retention_rate", DoubleType, true,
                            "retained_healthy / (retained_healthy + churned): among accounts with the value in either group."),
                    field("retention_ci_low", DoubleType, true, "Lower bound of the 95% Wilson interval of retention_rate."),
                    field("retention_ci_high", DoubleType, true, "Upper bound of the 95% Wilson interval of retention_rate."),
                    field("small_group", BooleanType, false,
                            "retained_healthy + churned below the minimum group size (cohorts.min-cohort-size): not ranked."),
                    field("rank_in_characteristic", IntegerType, true,
                            "1 = highest lift among the characteristic's values that have a lift and are not small groups; null otherwise. "
                                    + "Ties: more accounts first, then by value."),
                    field("rank_overall", IntegerType, true,
                            "1 = highest lift among all ranked values; ties: more accounts first, then by characteristic and value."),
                    RUN_ID),
            Optional.of("as_of_date"));

    public static final OutputTable HEALTH_WEIGHTS = new OutputTable("health_weights",
            "Every weights version of the health model, one row per version and metric: what calibration proposed, "
                    + "with its interval, and who approved it. Scoring uses the newest approved version of its preset. Never "
                    + "deleted: approving a version retires the one before.",
            schema(
                    field("version", StringType, false, "Weights version: <preset>@cal-<run date>-<digest>. Scores carry it in weights_version."),
                    field("model_preset", StringType, false, "Health-model preset (model-preset in conf) the version is for."),
                    field("model_digest", StringType, false,
                            "Digest of the preset's metrics, features, windows, scales and directions (not weights) the version was fitted for; "
                                    + "scoring refuses an approved version whose digest differs from conf's."),
                    field("status", StringType, false, "proposed (awaiting approval), approved (scoring uses it) or retired (approved once, replaced)."),
                    field("dimension", StringType, false, "relationship, usage or value."),
                    field("metric", StringType, false, "Metric of the model."),
                    field("prior_weight", DoubleType, false, "The expert prior weight from conf, in points of 100."),
                    field("current_weight", DoubleType, false, "Weight scoring used when the version was proposed (last approved, else prior), points."),
                    field("fitted_weight", DoubleType, false, "What the data alone says, points: 100 x (-beta) / sum(-beta) of the unconstrained fit over the metrics with evidence (0 for the others; docs/calibration.md)."),
                    field("fitted_low", DoubleType, false, "Lower end of the bootstrap interval of fitted_weight (interval_level); below 0 for a metric that contradicts its expected direction."),
                    field("fitted_high", DoubleType, false, "Upper end of the bootstrap interval of fitted_weight."),
                    field("weight", DoubleType, false, "The version's weight, points: data_share x fitted + (1 - data_share) x prior. Scoring uses this."),
                    field("weight_low", DoubleType, false, "weight's interval, lower end (fitted_low shrunk the same way)."),
                    field("weight_high", DoubleType, false, "weight's interval, upper end."),
                    field("interval_level", DoubleType, false, "Coverage of the intervals, e.g. 0.9."),
                    field("change", DoubleType, false, "weight - current_weight, points."),
                    field("needs_explicit_approval", BooleanType, false,
                            "true when |change| is above calibration.max-weight-change: approve needs --accept-large-changes."),
                    field("flags", DataTypes.createArrayType(StringType), false,
                            "no_weight_from_data (no evidence it lowers churn: weight 0 from the data), contradicts_expected_direction (more of it, more churn, beyond chance), interval_includes_zero (the data cannot tell it from 0)."),
                    field("training_churn_events", LongType, false, "n: distinct churn events in the training snapshots."),
                    field("data_share", DoubleType, false, "n / (n + calibration.shrinkage-k): how much of weight comes from the data."),
                    field("train_from", DateType, false, "First training as-of date."),
                    field("train_to", DateType, false, "Last training as-of date."),
                    field("holdout_from", DateType, false, "First holdout as-of date."),
                    field("holdout_to", DateType, false, "Last holdout as-of date."),
                    field("run_date", DateType, false, "The --run-date of the calibrate run that proposed the version."),
                    field("run_id", StringType, false, "Run that proposed the version."),
                    field("created_at", DataTypes.TimestampType, false, "When the version was first proposed (UTC)."),
                    field("approved_by", StringType, true, "Who approved it (approve --by); null until approved."),
                    field("approved_at", DataTypes.TimestampType, true, "When it was approved (UTC); null until approved."),
                    field("retired_at", DataTypes.TimestampType, true, "When a later approval retired it (UTC); null otherwise."),
                    field("segment_grouping", StringType, true,
                            "industry or size_band for a segment's own weights version (approve --segment); null for the global version."),
                    field("segment", StringType, true,
                            "The industry or size band a segment version is for; null for the global version. A segment version's "
                                    + "training_churn_events are the segment's, its weight is the segment's own fit (no bootstrap: "
                                    + "fitted_low = fitted_high = weight, data_share 1).")),
            Optional.empty());

    public static final OutputTable CALIBRATION_RUNS = new OutputTable("calibration_runs",
            "Every figure of each calibrate run's evaluation, long format: one row per figure, weights set and bucket. "
                    + "Replaced per run_date. The leadership report shows the same numbers.",
            schema(
                    field("run_date", DateType, false, "The --run-date of the calibrate run (partition column)."),
                    RUN_ID,
                    field("model_preset", StringType, false, "Health-model preset calibrated."),
                    field("status", StringType, false, "proposed, or no_proposal (a guardrail stopped it; see docs/calibration.md)."),
                    field("weights_label", StringType, false,
                            "Which weights the figure is for: current, proposed, own (a segment's own fit), or data (about the snapshots)."),
                    field("weights_version", StringType, true, "The version of those weights; null for data figures."),
                    field("figure", StringType, false, "What is measured (docs/calibration.md, \"calibration_runs figures\")."),
                    field("bucket", StringType, false, "Tier, decile, ROC point index, segment (industry=Retail) or all."),
                    field("x", DoubleType, true, "Second coordinate where the figure has one: mean predicted probability, false-positive rate, regParam."),
                    field("value", DoubleType, true, "The figure's value."),
                    field("rows", LongType, true, "Snapshots behind the value, where it is a rate."),
                    field("events", LongType, true, "Churned snapshots (or distinct churn events for data figures) behind the value."),
                    field("ci_low", DoubleType, true, "Lower end of the value's interval (Wilson 95% for rates)."),
                    field("ci_high", DoubleType, true, "Upper end of the value's interval.")),
            Optional.of("run_date"));

    public static final OutputTable CALIBRATION_REPORTS = new OutputTable("calibration_reports",
            "The leadership report of each calibrate run as calibrate computed it (report.json without the cohort, segment, "
                    + "success-profile and drift context, which report reads fresh): what the report command renders again. Replaced per run_date.",
            schema(
                    field("run_date", DateType, false, "The --run-date of the calibrate run (partition column)."),
                    RUN_ID,
                    field("model_preset", StringType, false, "Health-model preset calibrated."),
                    field("status", StringType, false, "proposed or no_proposal, as in calibration_runs."),
                    field("proposed_version", StringType, true, "The version proposed; null when nothing was."),
                    field("report_json", StringType, false, "The report as JSON, the same document as report.json (docs/calibration.md, \"The report\").")),
            Optional.of("run_date"));

    public static final OutputTable JOB_RUNS = new OutputTable("job_runs",
            "One row per job of every run, appended when the job ends, succeeded or failed: what ran, on which inputs and "
                    + "configuration, what it wrote and how long it took. A run killed outright (SIGKILL, a lost driver) leaves no row.",
            schema(
                    field("run_id", StringType, false, "The run's --run-id (default <command>-<run date>); Delta commits of the run carry "
                            + "<run_id>/<job> as their userMetadata (DESCRIBE HISTORY)."),
                    field("job", StringType, false, "validate, score, cohorts, insights, calibrate or report."),
                    field("command", StringType, false, "The CLI command that ran it: the job's own name, run (the whole "
                            + "pipeline) or daily (score, cohorts and insights over one read)."),
                    field("run_date", DateType, false, "The --run-date."),
                    field("status", StringType, false, "succeeded or failed."),
                    field("exit_code", IntegerType, false, "The process exit code the failure gives (0 when it succeeded; 2 configuration, "
                            + "3 input, 1 anything else)."),
                    field("error", StringType, true, "The failure's one-line message; null when it succeeded."),
                    field("started_at", DataTypes.TimestampType, false, "When the job started (UTC); for the first job, the input read is included."),
                    field("finished_at", DataTypes.TimestampType, false, "When it ended (UTC)."),
                    field("duration_seconds", DoubleType, false, "finished_at - started_at, seconds."),
                    field("config_hash", StringType, false, "SHA-256 (first 16 hex) of the whole resolved configuration (defaults, --conf, "
                            + "--set; it holds no secret): equal hashes ran with equal settings."),
                    field("code_version", StringType, false, "Version of the jar and the git commit it was built from: <version>+<commit>."),
                    field("input_rows", DataTypes.createMapType(StringType, LongType, false), false,
                            "Input table -> rows read from its source (before validation), for the tables the job reads."),
                    field("rejected_rows", LongType, false, "Rows of those tables quarantined to rejected_rows by this run."),
                    field("output_rows", DataTypes.createMapType(StringType, LongType, false), false,
                            "Output table -> rows in the files the job's Delta commits wrote (operationMetrics numOutputRows; a MERGE "
                                    + "counts the rows it rewrote, changed or not)."),
                    field("spark_application_id", StringType, false, "Spark application id, to find the run's logs and event log.")),
            Optional.of("run_date"));

    public static final OutputTable HEALTH_ALERTS = new OutputTable("health_alerts",
            "What changed on the run date that a CSM must act on: one row per account and alert kind (thresholds in conf "
                    + "actions.alerts), written by insights. Replaced per alert_date. Change Data Feed on: a CRM sync upserts by alert_id "
                    + "(docs/acting-on-the-score.md).",
            schema(
                    field("alert_date", DateType, false, "The run date D the alert is for (partition column)."),
                    field("alert_id", StringType, false, "Stable id: the first 32 hex of SHA-256 of account_id|alert_kind|alert_subject. "
                            + "The key a CRM upserts by."),
                    field("account_id", StringType, false, "Account."),
                    field("account_name", StringType, true, "Account name, from D's score."),
                    field("csm_owner", StringType, true, "CSM owning the account, when known."),
                    field("mrr", WarehouseContract.MONEY, false, "The account's MRR on D."),
                    field("health_score", DoubleType, true, "The account's health score on D."),
                    field("health_tier", StringType, false, "The account's tier on D."),
                    field("alert_kind", StringType, false, "tier_dropped, score_drop, new_top_concern, renewal_at_risk, payment_overdue or "
                            + "override_expiring (docs/acting-on-the-score.md)."),
                    field("reason", StringType, false, "The alert in one sentence, with its figures."),
                    field("top_concern", StringType, true, "The account's top concern on D: account_health_drivers.concern of concern_rank 1; "
                            + "null when it has none."),
                    field("alert_value", DoubleType, false, "The figure that fired it: tiers dropped, points fallen, concern points, days "
                            + "to renewal, days overdue or days the override has left."),
                    field("alert_threshold", DoubleType, false, "The conf threshold it was compared with (for tier_dropped: 1 tier)."),
                    field("alert_subject", StringType, false, "What the alert is about: D for a change (tier, score; D:metric for a concern), "
                            + "the renewal date, the oldest overdue invoice, override:<valid_from>. A standing condition keeps its subject, "
                            + "and so its alert_id, from day to day."),
                    RUN_ID),
            Optional.of("alert_date"));

    public static final OutputTable ACCOUNT_HEALTH_ROLLUP = new OutputTable("account_health_rollup",
            "Account hierarchies (accounts.parent_account_id): per score_date, one row per parent account, its group being itself "
                    + "and every account below it at any depth, rolled up over the group's accounts scored on the date. Written by "
                    + "score; replaced per score_date. Links to an unknown account or in a cycle are left out and quarantined to "
                    + "rejected_rows (table_name account_hierarchy).",
            schema(
                    field("score_date", DateType, false, "The score date (partition column)."),
                    field("parent_account_id", StringType, false, "The parent account."),
                    field("parent_account_name", StringType, true, "Its name, from accounts."),
                    field("parent_csm_owner", StringType, true, "Its CSM, from accounts: who sees the group."),
                    field("accounts_below", LongType, false, "Accounts below the parent, at any depth, through links that hold."),
                    field("scored_below", LongType, false, "Of those, accounts scored on score_date (customers then)."),
                    field("group_mrr", WarehouseContract.MONEY, false, "MRR of the group's scored accounts (the parent included when scored)."),
                    field("group_health_score", DoubleType, true,
                            "MRR-weighted health score of the group's scored accounts: sum(mrr x health_score) / sum(mrr), 2 decimals."),
                    field("parent_health_score", DoubleType, true, "The parent's own health score; null when it is not scored on the date."),
                    field("parent_health_tier", StringType, true, "The parent's own tier; null when it is not scored."),
                    field("tiers_below", DataTypes.createMapType(StringType, LongType, false), true,
                            "Tier -> scored accounts below the parent with it; null when none below is scored."),
                    field("worst_account_id", StringType, true,
                            "The worst account below the parent: lowest health score, then more MRR, then account id; null when none is scored."),
                    field("worst_account_name", StringType, true, "Its name."),
                    field("worst_health_score", DoubleType, true, "Its health score."),
                    field("worst_health_tier", StringType, true, "Its tier."),
                    RUN_ID),
            Optional.of("score_date"));

    public static final OutputTable SCORE_DRIFT = new OutputTable("score_drift",
            "Drift watch: per run date, the population stability index (PSI) of the health score and of each component of the "
                    + "run date's scores against the scores 30 and 90 days before and against the training snapshots of the weights "
                    + "version in use, with the share of missing values. Written by insights; replaced per run_date "
                    + "(docs/acting-on-the-score.md).",
            schema(
                    field("run_date", DateType, false, "The run date D whose scores are compared (partition column)."),
                    field("measure", StringType, false, "health_score, or a metric of the model (its component score)."),
                    field("reference", StringType, false, "What D is compared with: 30d or 90d (the scores of D - 30 or D - 90 days), or "
                            + "training (the training snapshots of the global weights version scoring used on D, from "
                            + "weights_training_distribution; none for conf's prior, which was never fitted)."),
                    field("reference_date", DateType, true, "The reference scores' date; for training, the last training snapshot date."),
                    count("current_n", "Accounts scored on D."),
                    count("reference_n", "Accounts scored on the reference date, or training snapshots (0: none, no PSI)."),
                    ratio("current_missing_share", "Share of D's accounts with no value for the measure (a source that broke shows here)."),
                    ratio("reference_missing_share", "The same share on the reference date."),
                    ratio("psi", "sum over actions.drift.bins equal bins of 0-100 of (p - q) x ln(p / q), p and q D's and the reference's "
                            + "shares of non-missing values (each floored at actions.drift.epsilon), 4 decimals; null without reference values."),
                    field("flag", StringType, false, "stable (psi below actions.drift.moderate-psi), moderate, significant (from "
                            + "actions.drift.significant-psi: recalibrate or check the source), no_reference (the reference date has no value) or no_values "
                            + "(no account has a value on D: check its source)."),
                    RUN_ID),
            Optional.of("run_date"));

    public static final OutputTable WEIGHTS_TRAINING_DISTRIBUTION = new OutputTable("weights_training_distribution",
            "What a proposed weights version was fitted on, as counts: per measure (the health score under the proposed weights "
                    + "and each component score), the training snapshots in each 1-point bin of 0-100 and those missing the measure. "
                    + "score_drift's training reference, once the version is approved. Written by calibrate with its proposal; "
                    + "replaced per run_date (emptied when a re-run proposes nothing).",
            schema(
                    field("run_date", DateType, false, "The --run-date of the calibrate run that proposed the version (partition column)."),
                    field("weights_version", StringType, false, "The proposed global weights version (health_weights.version)."),
                    field("measure", StringType, false, "health_score (under this version's weights), or a metric of the model (its component score)."),
                    field("bin", IntegerType, true, "floor(value) of the value, 0 to 99 (100 falls in 99); null: the snapshots missing the measure."),
                    count("snapshots", "Training snapshots (customer x month end) in the bin."),
                    field("training_from", DateType, false, "The first training snapshot date."),
                    field("training_to", DateType, false, "The last training snapshot date."),
                    RUN_ID),
            Optional.of("run_date"));

    public static final List<OutputTable> ALL = List.of(REJECTED_ROWS, ACCOUNT_HEALTH_SCORES, ACCOUNT_HEALTH_CURRENT,
            MRR_MOVEMENTS, REVENUE_METRICS_MONTHLY, COHORT_CHURN, COHORT_RETENTION, HEALTH_TIER_CHURN, EXPERIENCE_METRICS_MONTHLY,
            ACCOUNT_HEALTH_DRIVERS, PEER_BENCHMARKS, CUSTOMER_SEGMENTS, SEGMENT_TIER_SUMMARY, SUCCESS_PROFILE, HEALTH_WEIGHTS, CALIBRATION_RUNS,
            CALIBRATION_REPORTS, JOB_RUNS, HEALTH_ALERTS, ACCOUNT_HEALTH_ROLLUP, SCORE_DRIFT, WEIGHTS_TRAINING_DISTRIBUTION);

    /**
     * Tables with Delta's Change Data Feed on, so analysts can read what each run changed
     * ({@code table_changes}); both are rewritten every day, per date and per account.
     */
    public static final List<OutputTable> WITH_CHANGE_DATA_FEED = List.of(ACCOUNT_HEALTH_SCORES, ACCOUNT_HEALTH_CURRENT, HEALTH_ALERTS);

    private OutputTables() {
    }

    private static StructType schema(StructField... fields) {
        return new StructType(fields);
    }

    private static StructField field(String name, DataType type, boolean nullable, String comment) {
        return new StructField(name, type, nullable, Metadata.empty()).withComment(comment);
    }
}
