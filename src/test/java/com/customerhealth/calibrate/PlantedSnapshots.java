package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.config.AppConfig;
import com.customerhealth.config.HealthModel;
import com.customerhealth.config.MetricSpec;
import com.customerhealth.features.Snapshots;
import com.customerhealth.score.HealthScorer;
import com.customerhealth.spark.HashDraws;
import java.sql.Date;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Calibration input with a known answer: every component score is uniform on 0-100, independent
 * across metrics, accounts and dates, and churn is drawn from
 *
 * <pre>  logit P(churn) = intercept - slope x S,   S = sum_i truth_i x component_i / 100</pre>
 *
 * so the weights a correct calibration recovers are exactly {@code truth} (points of 100). Half the
 * accounts are in industry Retail, half in Software; Software accounts follow {@code softwareTruth}
 * instead when it is given (a segment the global weights fit badly).
 */
record PlantedSnapshots(Map<String, Double> truth, Map<String, Double> softwareTruth, double intercept, double slope,
                        int accounts, long seed) {

    PlantedSnapshots(Map<String, Double> truth, double intercept, double slope, int accounts, long seed) {
        this(truth, null, intercept, slope, accounts, seed);
    }

    /** Snapshots in the {@link TrainingSet#build} shape, for the given training and holdout dates. */
    Dataset<Row> build(SparkSession spark, AppConfig config, TrainingSet.Dates dates) {
        HealthModel model = config.model();
        Column account = format_string("A%05d", col("id"));
        Dataset<Row> rows = spark.range(accounts).select(account.as("account_id"),
                explode(Snapshots.dateArray(dates.all())).as("as_of_date"));
        Column industry = when(HashDraws.uniform(seed, "industry", col("account_id")).lt(0.5), lit("Retail")).otherwise(lit("Software"));
        rows = rows.withColumn("industry", industry);
        Column s = lit(0.0);
        Column software = lit(0.0);
        for (MetricSpec m : model.metrics()) {
            Column c = HashDraws.uniform(seed, "component:" + m.name(), col("account_id"), col("as_of_date")).multiply(100);
            rows = rows.withColumn(HealthScorer.componentColumn(m), c);
            s = s.plus(col(HealthScorer.componentColumn(m)).multiply(truth.get(m.name()) / 100));
            if (softwareTruth != null) {
                software = software.plus(col(HealthScorer.componentColumn(m)).multiply(softwareTruth.get(m.name()) / 100));
            }
        }
        if (softwareTruth != null) {
            s = when(col("industry").equalTo("Software"), software).otherwise(s);
        }
        Column p = lit(1.0).divide(lit(1.0).plus(exp(lit(-intercept).plus(s.multiply(slope)))));
        Column churned = HashDraws.uniform(seed, "churn", col("account_id"), col("as_of_date")).lt(p);
        rows = rows.withColumn("churned", churned)
                .withColumn("label", when(churned, 1.0).otherwise(0.0))
                .withColumn("churn_ref_date", when(churned, col("as_of_date")))
                .withColumn("involuntary_only", lit(false))
                .withColumn("size_band", lit("smb"))
                .withColumn("split", when(col("as_of_date").geq(lit(Date.valueOf(dates.holdout().get(0)))),
                        lit(TrainingSet.HOLDOUT)).otherwise(lit(TrainingSet.TRAIN)))
                .withColumn("fold", TrainingSet.fold(col("account_id"), config.calibration().seed(), config.calibration().folds()));
        return TrainingSet.withFeatures(rows, model, config.tiers());
    }

    static TrainingSet.Dates dates(int training, int holdout) {
        LocalDate first = LocalDate.of(2025, 1, 31);
        List<LocalDate> t = new ArrayList<>();
        List<LocalDate> h = new ArrayList<>();
        for (int i = 0; i < training + holdout; i++) {
            LocalDate d = YearMonth.from(first).plusMonths(i).atEndOfMonth();
            (i < training ? t : h).add(d);
        }
        return new TrainingSet.Dates(t, h);
    }
}
