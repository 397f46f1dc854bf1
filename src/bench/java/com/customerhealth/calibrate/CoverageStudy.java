package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.MetricSpec;
import com.customerhealth.features.Snapshots;
import com.customerhealth.spark.HashDraws;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Coverage measured, not hoped (issue 18, item 2): on generated snapshots with known weights, over many seeds and
 * several sample sizes, how often the 90% interval of each metric's weight holds the truth, the bias of the fitted
 * weight, and how often a zero-truth metric is declared to matter. Runs the calibrator's method exactly
 * ({@link WeightEvidence} on the unconstrained fit and its account bootstrap) and, for comparison, the method before
 * issue 18 (bounded fit, percentile interval of the normalised weights).
 *
 * <p>All seeds of one sample size are fitted together in one {@link JointFits} pass: each seed is a segment of one
 * packed dataset (its own accounts), each replicate of each seed one problem; no Spark job per seed or replicate.
 *
 * <p>The planted model: the fixture model's seven metrics, components uniform on 0-100; churn within the horizon
 * logit = 1 - 0.08 x S, S = sum truth_i x component_i / 100 with truth renewal_intent 58.3, seat_utilisation 25.0,
 * payment_punctuality 16.7 and 0 for the other four; nps (zero truth) is correlated with renewal_intent (half of its
 * component is renewal_intent's), as the zero-effect metric was with the drivers. Four monthly snapshots per
 * account. Run with {@code jobs/coverage-study.sh}; {@code CoverageStudySmokeTest} checks the machinery in the suite.
 */
public final class CoverageStudy {
    static final Map<String, Double> TRUTH = new LinkedHashMap<>();
    static final double INTERCEPT = 1.0;
    static final double SLOPE = 0.08;
    static final double LEVEL = 0.90;
    static final String CORRELATED = "nps";
    static final String CORRELATED_WITH = "renewal_intent";

    static {
        TRUTH.put("nps", 0.0);
        TRUTH.put("renewal_intent", 58.3);
        TRUTH.put("seat_utilisation", 25.0);
        TRUTH.put("sessions_rank", 0.0);
        TRUTH.put("support_burden", 0.0);
        TRUTH.put("payment_punctuality", 16.7);
        TRUTH.put("mrr_growth_yoy", 0.0);
    }

    /** One metric at one sample size, over the seeds. */
    public record MetricResult(String metric, double truth, int seeds, double meanFitted, double coverage, double meanWidth,
                               double mattersRate, double strongRate, double coverageBefore, double meanFittedBefore) {
        double bias() {
            return meanFitted - truth;
        }
    }

    /** One sample size: its metrics, churn events per seed (mean), and the passes of the joint fits. */
    public record SizeResult(int accounts, int seeds, int replicates, double meanChurnEvents, int passes, List<MetricResult> metrics) {
    }

    private CoverageStudy() {
    }

    /** Every seed's snapshots of one sample size, one dataset: account ids carry the seed, column {@code seed} names it. */
    static Dataset<Row> snapshots(SparkSession spark, List<MetricSpec> metrics, int accounts, int seeds, long baseSeed) {
        List<LocalDate> dates = List.of(LocalDate.of(2025, 1, 31), LocalDate.of(2025, 2, 28), LocalDate.of(2025, 3, 31),
                LocalDate.of(2025, 4, 30));
        Column seed = col("id").divide(accounts).cast("int");
        Dataset<Row> rows = spark.range((long) seeds * accounts)
                .select(format_string("s%03d", seed).as("seed"), format_string("s%03d-A%06d", seed, col("id").mod(accounts)).as("account_id"))
                .withColumn("as_of_date", explode(Snapshots.dateArray(dates)));
        for (MetricSpec m : metrics) {
            rows = rows.withColumn("u_" + m.name(), HashDraws.uniform(baseSeed, "component:" + m.name(), col("account_id"),
                    col("as_of_date")).multiply(100));
        }
        Column s = lit(0.0);
        List<Column> keep = new ArrayList<>(List.of(col("seed"), col("account_id"), col("as_of_date")));
        for (MetricSpec m : metrics) {
            Column x = m.name().equals(CORRELATED)
                    ? col("u_" + CORRELATED).multiply(0.5).plus(col("u_" + CORRELATED_WITH).multiply(0.5)) : col("u_" + m.name());
            keep.add(x.as(TrainingSet.featureColumn(m)));
            s = s.plus(x.multiply(TRUTH.get(m.name()) / 100));
        }
        Column p = lit(1.0).divide(lit(1.0).plus(exp(lit(-INTERCEPT).plus(s.multiply(SLOPE)))));
        keep.add(when(HashDraws.uniform(baseSeed, "churn", col("account_id"), col("as_of_date")).lt(p), 1.0).otherwise(0.0)
                .as(WeightFit.LABEL));
        return rows.select(keep.toArray(Column[]::new));
    }

    /** The study at one sample size. */
    public static SizeResult run(SparkSession spark, int accounts, int seeds, int replicates, long baseSeed) {
        if (seeds > 127) {
            throw new IllegalArgumentException("at most 127 seeds per sample size (packed as a byte)");
        }
        List<MetricSpec> metrics = AppConfig.load(FixtureWarehouse.fixtureModelConf(), Map.of()).model().metrics();
        List<String> features = metrics.stream().map(TrainingSet::featureColumn).toList();
        int p = metrics.size();
        Dataset<Row> rows = snapshots(spark, metrics, accounts, seeds, baseSeed).cache();
        List<String> seedNames = new ArrayList<>();
        for (int k = 0; k < seeds; k++) {
            seedNames.add(String.format(Locale.ROOT, "s%03d", k));
        }
        double events = rows.where(col(WeightFit.LABEL).equalTo(1.0)).count() / (double) seeds;
        try (JointFits.Packed packed = JointFits.pack(rows, features, new JointFits.Packing(null,
                List.of(new JointFits.Grouping("seed", seedNames)), baseSeed, replicates))) {
            List<JointFits.Problem> starts = new ArrayList<>();
            for (int k = 0; k < seeds; k++) {
                starts.add(new JointFits.Problem(JointFits.RowWeight.inGroup(0, k), 0.0, Double.NaN, null, false));
                starts.add(new JointFits.Problem(JointFits.RowWeight.inGroup(0, k), 0.0, Double.NaN, null, true));
            }
            JointFits.Fits full = packed.fit("coverage study " + accounts + ": full fits", starts);
            List<JointFits.Problem> problems = new ArrayList<>();
            for (int k = 0; k < seeds; k++) {
                for (int r = 0; r < replicates; r++) {
                    problems.add(JointFits.Problem.unbounded(inSeedReplicate(k, r), 0.0, full.results().get(2 * k)));
                    problems.add(JointFits.Problem.from(inSeedReplicate(k, r), 0.0, full.results().get(2 * k + 1)));
                }
            }
            JointFits.Fits reps = packed.fit("coverage study " + accounts + ": " + seeds + " seeds x " + replicates + " replicates",
                    problems);
            double[][] fitted = new double[p][seeds];
            double[][] covered = new double[p][seeds];
            double[][] width = new double[p][seeds];
            double[][] matters = new double[p][seeds];
            double[][] strong = new double[p][seeds];
            double[][] coveredBefore = new double[p][seeds];
            double[][] fittedBefore = new double[p][seeds];
            double tail = (1 - LEVEL) / 2;
            for (int k = 0; k < seeds; k++) {
                List<double[]> unbounded = new ArrayList<>();
                List<Map<String, Double>> bounded = new ArrayList<>();
                for (int r = 0; r < replicates; r++) {
                    JointFits.Result u = reps.results().get(2 * (k * replicates + r));
                    JointFits.Result b = reps.results().get(2 * (k * replicates + r) + 1);
                    if (!u.failed()) {
                        unbounded.add(u.coefficients());
                    }
                    Map<String, Double> points = b.failed() ? Map.of() : WeightFit.points(metrics, b.coefficients());
                    if (!points.isEmpty()) {
                        bounded.add(points);
                    }
                }
                List<WeightEvidence.Finding> f = WeightEvidence.findings(full.results().get(2 * k).coefficients(), unbounded, LEVEL);
                Map<String, Double> before = WeightFit.points(metrics, full.results().get(2 * k + 1).coefficients());
                for (int i = 0; i < p; i++) {
                    String name = metrics.get(i).name();
                    double truth = TRUTH.get(name);
                    if (!f.isEmpty()) {
                        WeightEvidence.Finding fi = f.get(i);
                        fitted[i][k] = fi.share();
                        covered[i][k] = fi.shareLow() <= truth + 1e-9 && truth <= fi.shareHigh() + 1e-9 ? 1 : 0;
                        width[i][k] = fi.shareHigh() - fi.shareLow();
                        matters[i][k] = fi.matters() ? 1 : 0;
                        strong[i][k] = WeightEvidence.STRONG.equals(fi.strength()) ? 1 : 0;
                    }
                    double[] draws = bounded.stream().mapToDouble(m -> m.get(name)).sorted().toArray();
                    double lo = Calibrator.quantile(draws, tail);
                    double hi = Calibrator.quantile(draws, 1 - tail);
                    fittedBefore[i][k] = before.getOrDefault(name, 0.0);
                    coveredBefore[i][k] = lo <= truth + 1e-9 && truth <= hi + 1e-9 ? 1 : 0;
                }
            }
            List<MetricResult> out = new ArrayList<>();
            for (int i = 0; i < p; i++) {
                String name = metrics.get(i).name();
                out.add(new MetricResult(name, TRUTH.get(name), seeds, mean(fitted[i]), mean(covered[i]), mean(width[i]), mean(matters[i]),
                        mean(strong[i]), mean(coveredBefore[i]), mean(fittedBefore[i])));
            }
            return new SizeResult(accounts, seeds, replicates, events, full.passes() + reps.passes(), List.copyOf(out));
        } finally {
            rows.unpersist();
        }
    }

    /** Replicate r's draw, in seed k's rows only. */
    private static JointFits.RowWeight inSeedReplicate(int k, int r) {
        return (b, i) -> b.groups[i * b.g] == k ? b.draws[i * b.r + r] : 0;
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return x.length == 0 ? Double.NaN : s / x.length;
    }

    /** The results as a markdown table, one row per sample size and metric. */
    public static String markdown(List<SizeResult> sizes, String commit) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Coverage study (CoverageStudy, commit %s): %d%% intervals, truth 58.3 / 25.0 / 16.7 "
                + "on three metrics, 0 on four (nps correlated with renewal_intent).%n%n", commit, Math.round(LEVEL * 100)));
        sb.append("| accounts | seeds | churn events / seed | metric | truth | mean fitted | bias | coverage | mean width | "
                + "declared to matter | strong | coverage before | mean fitted before |\n");
        sb.append("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (SizeResult s : sizes) {
            for (MetricResult m : s.metrics()) {
                sb.append(String.format(Locale.ROOT, "| %,d | %d | %.0f | %s | %.1f | %.2f | %+.2f | %.0f%% | %.1f | %.0f%% | %.0f%% | %.0f%% | %.2f |%n",
                        s.accounts(), s.seeds(), s.meanChurnEvents(), m.metric(), m.truth(), m.meanFitted(), m.bias(),
                        100 * m.coverage(), m.meanWidth(), 100 * m.mattersRate(), 100 * m.strongRate(), 100 * m.coverageBefore(),
                        m.meanFittedBefore()));
            }
        }
        return sb.toString();
    }

    /**
     * {@code CoverageStudy <seeds> <replicates> <out.md> <commit> <accounts>...}: runs each sample size and writes the table.
     */
    public static void main(String[] args) throws IOException {
        int seeds = Integer.parseInt(args[0]);
        int replicates = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        String commit = args[3];
        SparkSession spark = SparkSession.builder().appName("coverage-study").getOrCreate();
        List<SizeResult> sizes = new ArrayList<>();
        for (int a = 4; a < args.length; a++) {
            long started = System.nanoTime();
            sizes.add(run(spark, Integer.parseInt(args[a]), seeds, replicates, 20_260_930L + a));
            System.err.printf(Locale.ROOT, "%s accounts: %.0f s%n", args[a], (System.nanoTime() - started) / 1e9);
            Files.writeString(out, markdown(sizes, commit), StandardCharsets.UTF_8);
        }
        System.out.print(markdown(sizes, commit));
        spark.stop();
    }
}
