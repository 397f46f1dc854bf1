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

/** Every output table of the product. README.md documents the same columns. */
public final class OutputTables {

    public static final OutputTable REJECTED_ROWS = new OutputTable("rejected_rows",
            "Input rows quarantined by validation, with the rule they broke. Replaced per run_date and table.",
            schema(
                    field("run_id", StringType, false, "Run that quarantined the row."),
                    field("run_date", DateType, false, "The --run-date of that run (partition column)."),
                    field("table_name", StringType, false, "Contract table the row came from."),
                    field("rule", StringType, false, "First rule the row broke (README, Validation)."),
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
            field("weights_version", StringType, false, "Weights version scored with: <preset>@prior-<digest> or a calibrated version."),
            field("run_id", StringType, false, "Run that wrote the row."),
    };

    public static final OutputTable ACCOUNT_HEALTH_SCORES = new OutputTable("account_health_scores",
            "Health score of every customer account per score_date. One partition per date, replaced atomically on re-run.",
            schema(SCORE_COLUMNS), Optional.of("score_date"));

    public static final OutputTable ACCOUNT_HEALTH_CURRENT = new OutputTable("account_health_current",
            "Latest health score of every account: one row per account, always the newest row of account_health_scores (merged each run; a back-fill never overwrites a newer score; a re-run that no longer scores an account falls back to its previous score, or removes it).",
            schema(SCORE_COLUMNS), Optional.empty());

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
                    field("fitted_weight", DoubleType, false, "What the data alone says: 100 x (-beta) / sum(-beta) of the bounded logistic regression, points."),
                    field("fitted_low", DoubleType, false, "Lower end of the bootstrap interval of fitted_weight (interval_level)."),
                    field("fitted_high", DoubleType, false, "Upper end of the bootstrap interval of fitted_weight."),
                    field("weight", DoubleType, false, "The version's weight, points: data_share x fitted + (1 - data_share) x prior. Scoring uses this."),
                    field("weight_low", DoubleType, false, "weight's interval, lower end (fitted_low shrunk the same way)."),
                    field("weight_high", DoubleType, false, "weight's interval, upper end."),
                    field("interval_level", DoubleType, false, "Coverage of the intervals, e.g. 0.9."),
                    field("change", DoubleType, false, "weight - current_weight, points."),
                    field("needs_explicit_approval", BooleanType, false,
                            "true when |change| is above calibration.max-weight-change: approve needs --accept-large-changes."),
                    field("flags", DataTypes.createArrayType(StringType), false,
                            "no_weight_from_data (the fit gave it 0), interval_includes_zero (the data cannot tell it from 0)."),
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
                    field("retired_at", DataTypes.TimestampType, true, "When a later approval retired it (UTC); null otherwise.")),
            Optional.empty());

    public static final OutputTable CALIBRATION_RUNS = new OutputTable("calibration_runs",
            "Every figure of each calibrate run's evaluation, long format: one row per figure, weights set and bucket. "
                    + "Replaced per run_date. The leadership report shows the same numbers.",
            schema(
                    field("run_date", DateType, false, "The --run-date of the calibrate run (partition column)."),
                    field("run_id", StringType, false, "Run that wrote the row."),
                    field("model_preset", StringType, false, "Health-model preset calibrated."),
                    field("status", StringType, false, "proposed, or no_proposal (a guardrail stopped it; see README)."),
                    field("weights_label", StringType, false,
                            "Which weights the figure is for: current, proposed, own (a segment's own fit), or data (about the snapshots)."),
                    field("weights_version", StringType, true, "The version of those weights; null for data figures."),
                    field("figure", StringType, false, "What is measured (README, \"calibration_runs figures\")."),
                    field("bucket", StringType, false, "Tier, decile, ROC point index, segment (industry=Retail) or all."),
                    field("x", DoubleType, true, "Second coordinate where the figure has one: mean predicted probability, false-positive rate, regParam."),
                    field("value", DoubleType, true, "The figure's value."),
                    field("rows", LongType, true, "Snapshots behind the value, where it is a rate."),
                    field("events", LongType, true, "Churned snapshots (or distinct churn events for data figures) behind the value."),
                    field("ci_low", DoubleType, true, "Lower end of the value's interval (Wilson 95% for rates)."),
                    field("ci_high", DoubleType, true, "Upper end of the value's interval.")),
            Optional.of("run_date"));

    public static final List<OutputTable> ALL = List.of(REJECTED_ROWS, ACCOUNT_HEALTH_SCORES, ACCOUNT_HEALTH_CURRENT,
            MRR_MOVEMENTS, REVENUE_METRICS_MONTHLY, COHORT_CHURN, COHORT_RETENTION, HEALTH_TIER_CHURN,
            HEALTH_WEIGHTS, CALIBRATION_RUNS);

    private OutputTables() {
    }

    private static StructType schema(StructField... fields) {
        return new StructType(fields);
    }

    private static StructField field(String name, DataType type, boolean nullable, String comment) {
        return new StructField(name, type, nullable, Metadata.empty()).withComment(comment);
    }
}
