package com.customerhealth.calibrate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * How strongly the data says each metric lowers churn, and the weights (shares of 100) with honest intervals
 * (docs/calibration.md, "Evidence and intervals"). Pure arithmetic on fitted coefficients: the unconstrained,
 * unpenalised fit on all training rows and the same fit on each bootstrap replicate (accounts resampled).
 *
 * <ol>
 *   <li>Per metric, the unconstrained coefficient beta (log odds of churn per point of its component score; a
 *       metric that works has beta &lt; 0), its bootstrap standard error se and z = beta / se; the interval is
 *       beta &plusmn; z(level) se.</li>
 *   <li>Evidence: {@code strong} when z &lt;= -z(1 - (1 - level) / (2 m)) (its interval excludes 0 even at the
 *       Bonferroni level for m metrics: not one lucky metric among many); {@code some} when its interval lies
 *       below 0; {@code contradicts} when it lies above 0 (more of a good thing, more churn); else {@code none}.</li>
 *   <li>The metrics that matter (strong evidence; when no metric has it, those with some evidence, and the report
 *       says the evidence is weak) share the 100 points in proportion to -beta; the others get 0.
 *       So metrics without evidence, or with no more than one lucky metric among many shows, take no share from the
 *       drivers.</li>
 *   <li>A weight's interval is its share &plusmn; z(level) x the standard deviation of its share over the replicates,
 *       the set that matters held fixed (a metric outside it: the share it would have if added to that set): each
 *       replicate's coefficients mapped through the normalisation; never clipped at 0. (A percentile interval of 100
 *       replicates covered the dominant driver 78% of the time at 5,000 accounts: its 5th and 95th percentiles are
 *       noisy and sit inward.)</li>
 * </ol>
 */
final class WeightEvidence {
    static final String STRONG = "strong";
    static final String SOME = "some";
    static final String NONE = "none";
    static final String CONTRADICTS = "contradicts";

    /**
     * One metric's finding.
     *
     * @param coefficient unconstrained log-odds coefficient per point of the component score
     * @param low         its interval's lower end (coefficient - z se)
     * @param high        its interval's upper end
     * @param z           coefficient / bootstrap standard error (NaN when the replicates do not vary)
     * @param strength    strong, some, none or contradicts
     * @param share       fitted weight, points of 100 (0 unless it matters)
     * @param shareLow    interval of the weight
     * @param shareHigh   interval of the weight
     * @param matters     whether it shares the 100 points
     */
    record Finding(double coefficient, double low, double high, double z, String strength, double share, double shareLow,
                   double shareHigh, boolean matters) {
    }

    private WeightEvidence() {
    }

    /**
     * @param full       unconstrained coefficients on all training rows, metric order
     * @param replicates the same per bootstrap replicate (at least 2)
     * @param level      central interval level, e.g. 0.90
     * @return one finding per metric, in metric order; empty when no metric matters
     */
    static List<Finding> findings(double[] full, List<double[]> replicates, double level) {
        int m = full.length;
        NormalDistribution normal = new NormalDistribution();
        double zLevel = normal.inverseCumulativeProbability(1 - (1 - level) / 2);
        double zStrong = normal.inverseCumulativeProbability(1 - (1 - level) / (2.0 * m));
        double[] z = new double[m];
        double[] se = new double[m];
        String[] strength = new String[m];
        boolean[] matters = new boolean[m];
        for (int i = 0; i < m; i++) {
            final int j = i;
            double[] draws = replicates.stream().mapToDouble(r -> r[j]).toArray();
            se[i] = sd(draws);
            z[i] = se[i] > 0 ? full[i] / se[i] : Double.NaN;
            strength[i] = z[i] <= -zStrong ? STRONG : z[i] <= -zLevel ? SOME : z[i] >= zLevel ? CONTRADICTS : NONE;
            matters[i] = STRONG.equals(strength[i]);
        }
        boolean anyStrong = false;
        for (boolean b : matters) {
            anyStrong |= b;
        }
        if (!anyStrong) { // no evidence holds allowing for luck across all metrics: the best the data has shares the points
            for (int i = 0; i < m; i++) {
                matters[i] = SOME.equals(strength[i]);
            }
        }
        double total = 0;
        for (int i = 0; i < m; i++) {
            total += matters[i] ? -full[i] : 0;
        }
        if (!(total > 0)) {
            return List.of();
        }
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            double[] shares = new double[replicates.size()];
            for (int r = 0; r < replicates.size(); r++) {
                shares[r] = shareOf(i, replicates.get(r), matters);
            }
            double centre = shareOf(i, full, matters);
            double spread = zLevel * sd(shares);
            out.add(new Finding(full[i], full[i] - zLevel * se[i], full[i] + zLevel * se[i], z[i], strength[i],
                    matters[i] ? 100 * -full[i] / total : 0.0, centre - spread, centre + spread, matters[i]));
        }
        return List.copyOf(out);
    }

    /** Whether any metric's evidence is strong (holds allowing for luck across all metrics). */
    static boolean anyStrong(List<Finding> findings) {
        return findings.stream().anyMatch(f -> STRONG.equals(f.strength()));
    }

    /**
     * The shares of the 100 points the data proposes, by metric name: the findings' when some metric has strong
     * evidence; else {@code crossValidated}'s (the bounded, regularised fit chosen on held-out folds; a metric it
     * leaves out: 0), because a handful of metrics with only some evidence predict worse than that fit.
     */
    static Map<String, Double> proposalShares(List<String> metrics, List<Finding> findings, Map<String, Double> crossValidated) {
        boolean strong = anyStrong(findings);
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < metrics.size(); i++) {
            String name = metrics.get(i);
            out.put(name, strong ? findings.get(i).share() : crossValidated.getOrDefault(name, 0.0));
        }
        return out;
    }

    /** Metric i's share of the points among the metrics that matter (i itself added when it is not one of them). */
    private static double shareOf(int i, double[] beta, boolean[] matters) {
        double sum = matters[i] ? 0 : -beta[i];
        for (int j = 0; j < beta.length; j++) {
            sum += matters[j] ? -beta[j] : 0;
        }
        return 100 * -beta[i] / sum;
    }

    /** Sample standard deviation (n - 1). */
    static double sd(double[] x) {
        if (x.length < 2) {
            return 0;
        }
        double mean = Arrays.stream(x).average().orElse(0);
        double ss = Arrays.stream(x).map(v -> (v - mean) * (v - mean)).sum();
        return Math.sqrt(ss / (x.length - 1));
    }

    /** Change in the odds of churn for 10 more points of the component score, as a fraction (-0.23: 23% lower odds). */
    static double oddsChangePer10(double coefficient) {
        return Math.exp(10 * coefficient) - 1;
    }

    /** The finding in words a CFO reads: what the data says, how sure, and what 10 more points do to churn odds. */
    static String words(Finding f, int metrics, double level) {
        String effect = String.format(Locale.ROOT, "10 more points go with %s churn odds (%d%% interval %s to %s)",
                signedPercent(oddsChangePer10(f.coefficient())), Math.round(level * 100), signedPercent(oddsChangePer10(f.low())),
                signedPercent(oddsChangePer10(f.high())));
        return switch (f.strength()) {
            case STRONG -> "Strong evidence it lowers churn, even allowing for luck across " + metrics + " metrics: " + effect + ".";
            case SOME -> "Some evidence it lowers churn, but with " + metrics + " metrics one such finding can be luck"
                    + (f.matters() ? "" : ", so the data gives it no weight yet") + ": " + effect + ".";
            case CONTRADICTS -> "Contradicts its expected direction: more of it goes with more churn, beyond chance; question the "
                    + "metric (its definition, direction or data) rather than read its 0 weight as certain: " + effect + ".";
            default -> "No evidence either way: the data cannot tell its effect from zero"
                    + (f.coefficient() > 0 ? " (its estimate points the wrong way, within chance)" : "") + ": " + effect + ".";
        };
    }

    private static String signedPercent(double fraction) {
        long p = Math.round(fraction * 100);
        return (p > 0 ? "+" : "") + p + "%";
    }
}
