package com.customerhealth.io;

import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
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

    public static final List<OutputTable> ALL = List.of(REJECTED_ROWS, ACCOUNT_HEALTH_SCORES, ACCOUNT_HEALTH_CURRENT);

    private OutputTables() {
    }

    private static StructType schema(StructField... fields) {
        return new StructType(fields);
    }

    private static StructField field(String name, DataType type, boolean nullable, String comment) {
        return new StructField(name, type, nullable, Metadata.empty()).withComment(comment);
    }
}
