package com.customerhealth.score;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.percent_rank;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.config.HealthModel;
import com.customerhealth.config.MetricSpec;
import com.customerhealth.config.Tiers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

/**
 * Turns features into component, dimension and health scores (all pure Dataset transformations).
 *
 * <p>Missing data, the one rule: a metric with no data for an account (its feature is null) is
 * left out, and the weights of the metrics that do have data are renormalised within their
 * dimension; a dimension with no data at all is left out and the dimension weights renormalised.
 * The row lists the metrics left out in {@code missing_components} and the share of the model's
 * prior weight that did have data in {@code weight_coverage}. A row with no data in any metric has
 * a null score and tier {@code no_data}.
 */
public final class HealthScorer {
    /** Prefix of the per-metric component-score columns added by {@link #componentScores}. */
    public static final String COMPONENT_PREFIX = "component_";

    private final HealthModel model;
    private final Tiers tiers;

    public HealthScorer(HealthModel model, Tiers tiers) {
        this.model = model;
        this.tiers = tiers;
    }

    public static String componentColumn(MetricSpec m) {
        return COMPONENT_PREFIX + m.name();
    }

    /**
     * Adds one 0-100 component score column per metric ({@code component_<metric>}), unrounded.
     * Percentile metrics rank within each as_of_date among the rows that have a value.
     */
    public Dataset<Row> componentScores(Dataset<Row> features) {
        Dataset<Row> out = features;
        for (MetricSpec m : model.metrics()) {
            Column x = col(m.featureColumn());
            Column scaled = switch (m.scale().type()) {
                case LINEAR -> least(greatest(x.minus(m.scale().min()).divide(m.scale().max() - m.scale().min()), lit(0.0)), lit(1.0));
                // percent_rank: (rank - 1) / (n - 1) among the accounts with a value that day; 0 when n = 1.
                case PERCENTILE -> when(x.isNotNull(),
                        percent_rank().over(Window.partitionBy(col("as_of_date"), x.isNull()).orderBy(x)));
            };
            Column component = (m.higherIsBetter() ? scaled : lit(1.0).minus(scaled)).multiply(100.0);
            out = out.withColumn(componentColumn(m), when(x.isNotNull(), component).cast(DataTypes.DoubleType));
        }
        return out;
    }

    /**
     * Adds dimension scores ({@code <dimension>_score}), {@code health_score}, {@code health_tier},
     * {@code component_scores}, {@code metric_values}, {@code missing_components} and
     * {@code weight_coverage} to rows that carry the component columns. Scores are rounded to 2
     * decimals; the tier is read from the rounded score, so the two never disagree.
     */
    public Dataset<Row> aggregate(Dataset<Row> withComponents) {
        return withComponents.withColumns(columns()).withColumn("health_tier", tier(col("health_score")));
    }

    /**
     * {@link #aggregate} with each row's weights chosen by its {@code weights_version} column: the model of that version
     * among {@code models} (all of one structure: the same metrics), the first model for any other. One pass: every
     * model's columns are expressions over the same row, picked per row.
     */
    public static Dataset<Row> aggregateByVersion(Dataset<Row> withComponents, List<HealthModel> models, Tiers tiers) {
        HealthScorer first = new HealthScorer(models.get(0), tiers);
        Map<String, Column> out = new LinkedHashMap<>(first.columns());
        for (HealthModel m : models.subList(1, models.size())) {
            Map<String, Column> own = new HealthScorer(m, tiers).columns();
            Column chosen = col("weights_version").equalTo(m.version());
            out.replaceAll((name, other) -> when(chosen, own.get(name)).otherwise(other));
        }
        return withComponents.withColumns(out).withColumn("health_tier", first.tier(col("health_score")));
    }

    /** The columns {@link #aggregate} adds but the tier, by name. */
    private Map<String, Column> columns() {
        List<Column> dimensionScores = new ArrayList<>();
        for (String dimName : HealthModel.DIMENSIONS) {
            dimensionScores.add(round(dimensionScore(dimName)
                    .orElse(lit(null).cast(DataTypes.DoubleType)), 2));
        }
        Column health = healthScore();

        List<MetricSpec> metrics = model.metrics();
        Column names = array(metrics.stream().map(m -> lit(m.name())).toArray(Column[]::new));
        Column components = map_from_arrays(names,
                array(metrics.stream().map(m -> round(col(componentColumn(m)), 2)).toArray(Column[]::new)));
        Column values = map_from_arrays(names,
                array(metrics.stream().map(m -> col(m.featureColumn())).toArray(Column[]::new)));
        Column missing = array_compact(array(metrics.stream()
                .map(m -> when(col(componentColumn(m)).isNull(), lit(m.name()))).toArray(Column[]::new)));
        Column coverage = lit(0.0);
        for (MetricSpec m : metrics) {
            coverage = coverage.plus(when(col(componentColumn(m)).isNotNull(), lit(model.effectiveWeight(m))).otherwise(0.0));
        }

        Map<String, Column> added = new LinkedHashMap<>();
        for (int i = 0; i < HealthModel.DIMENSIONS.size(); i++) {
            added.put(HealthModel.DIMENSIONS.get(i) + "_score", dimensionScores.get(i));
        }
        added.put("health_score", health);
        added.put("component_scores", components);
        added.put("metric_values", values);
        added.put("missing_components", missing);
        added.put("weight_coverage", round(coverage, 4));
        return added;
    }

    /**
     * The health score (0-100, 2 decimals) of rows carrying the component columns: the weighted mean
     * of the dimension scores that have data; null when no metric has data.
     */
    public Column healthScore() {
        Column num = lit(0.0);
        Column den = lit(0.0);
        for (HealthModel.Dimension dim : model.dimensions()) {
            Column dimScore = meanOfDimension(dim);
            Column present = dimScore.isNotNull();
            num = num.plus(when(present, dimScore.multiply(dim.weight())).otherwise(0.0));
            den = den.plus(when(present, lit(dim.weight())).otherwise(0.0));
        }
        return round(when(den.gt(0), num.divide(den)), 2);
    }

    /** A dimension's score (unrounded), or empty when the model has no such dimension. */
    public Optional<Column> dimensionScore(String dimensionName) {
        return model.dimensions().stream().filter(d -> d.name().equals(dimensionName)).findFirst()
                .map(HealthScorer::meanOfDimension);
    }

    /** A dimension's score: the weighted mean of its metrics' components that have data, unrounded. */
    private static Column meanOfDimension(HealthModel.Dimension dim) {
        return weightedMeanOfPresent(dim.metrics().stream().map(m -> col(componentColumn(m))).toList(),
                dim.metrics().stream().map(MetricSpec::weight).toList());
    }

    /** The tier of a (rounded) score by the tiers in conf. */
    public Column tier(Column score) {
        return when(score.isNull(), lit("no_data"))
                .when(score.geq(tiers.healthyFrom()), lit("healthy"))
                .when(score.gt(tiers.needsAttentionAbove()), lit("needs_attention"))
                .when(score.geq(tiers.atRiskFrom()), lit("at_risk"))
                .otherwise(lit("critical"));
    }

    /**
     * sum(w_i * x_i) / sum(w_i) over the x_i that are not null; null when none is. When every weight
     * is 0 (a calibrated dimension the data gave no weight), the plain mean, so the dimension score
     * still shows; the dimension then carries 0 weight in the health score.
     */
    private static Column weightedMeanOfPresent(List<Column> xs, List<Double> givenWeights) {
        List<Double> weights = givenWeights.stream().allMatch(w -> w == 0) ? givenWeights.stream().map(w -> 1.0).toList() : givenWeights;
        Column num = lit(0.0);
        Column den = lit(0.0);
        for (int i = 0; i < xs.size(); i++) {
            Column x = xs.get(i);
            num = num.plus(when(x.isNotNull(), x.multiply(weights.get(i))).otherwise(0.0));
            den = den.plus(when(x.isNotNull(), lit(weights.get(i))).otherwise(0.0));
        }
        return when(den.gt(0), num.divide(den));
    }
}
