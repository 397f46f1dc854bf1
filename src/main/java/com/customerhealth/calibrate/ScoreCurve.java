package com.customerhealth.calibrate;

import java.util.List;
import java.util.Optional;

/**
 * A score-to-probability map, P = 1 / (1 + exp(-(intercept + slope x score))), fitted on the driver from aggregated
 * points: per distinct score, the rows n and the churn events among them. The unpenalised maximum-likelihood fit,
 * as {@link WeightFit#unbounded()} makes on the rows themselves (the log-likelihood of the rows is the sum over the
 * points of events log P + (n - events) log(1 - P), so the two fits are the same problem). Newton-Raphson on the
 * score standardised by its weighted mean and spread (the score runs 0-100, the intercept near 0: unscaled, the
 * Hessian is badly conditioned), with step halving. Pure: no Spark.
 */
final class ScoreCurve {
    private static final int MAX_ITERATIONS = 100;
    /** Converged when the Newton step moves no coefficient (standardised) more than this. */
    private static final double TOLERANCE = 1e-10;

    private ScoreCurve() {
    }

    /** Rows with one score: how many, and how many of them churned (fractional counts allowed). */
    record Point(double score, double n, double events) {
    }

    /** The map's logit intercept and its logit change per score point. */
    record Fit(double intercept, double slope) {
    }

    /**
     * The fitted map; empty when the points cannot give one: no rows, no events or no stayers (the likelihood has
     * no maximum), a single distinct score (no slope), or no convergence (e.g. a score that separates churners
     * from stayers, where the slope runs off to infinity).
     */
    static Optional<Fit> fit(List<Point> points) {
        double n = 0;
        double events = 0;
        double sx = 0;
        for (Point p : points) {
            n += p.n();
            events += p.events();
            sx += p.n() * p.score();
        }
        if (!(n > 0) || !(events > 0) || !(events < n)) {
            return Optional.empty();
        }
        double mean = sx / n;
        double ss = 0;
        for (Point p : points) {
            ss += p.n() * (p.score() - mean) * (p.score() - mean);
        }
        double sd = Math.sqrt(ss / n);
        if (!(sd > 1e-12)) {
            return Optional.empty();
        }
        int m = points.size();
        double[] z = new double[m];
        for (int i = 0; i < m; i++) {
            z[i] = (points.get(i).score() - mean) / sd;
        }
        double a = Math.log(events / (n - events)); // the fit with slope 0: the overall churn odds
        double b = 0;
        double ll = logLikelihood(points, z, a, b);
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            double g0 = 0;
            double g1 = 0;
            double h00 = 0;
            double h01 = 0;
            double h11 = 0;
            for (int i = 0; i < m; i++) {
                Point p = points.get(i);
                double prob = sigmoid(a + b * z[i]);
                double r = p.events() - p.n() * prob;
                double w = p.n() * prob * (1 - prob);
                g0 += r;
                g1 += r * z[i];
                h00 += w;
                h01 += w * z[i];
                h11 += w * z[i] * z[i];
            }
            double det = h00 * h11 - h01 * h01;
            if (!(det > 0) || !Double.isFinite(det)) {
                return Optional.empty();
            }
            double da = (h11 * g0 - h01 * g1) / det;
            double db = (h00 * g1 - h01 * g0) / det;
            // The log-likelihood is concave, so a full Newton step rarely overshoots; halving guards the rare one that does.
            double step = 1;
            double next = logLikelihood(points, z, a + da, b + db);
            while (next < ll - 1e-12 * Math.abs(ll) && step > 1e-6) {
                step /= 2;
                next = logLikelihood(points, z, a + step * da, b + step * db);
            }
            a += step * da;
            b += step * db;
            ll = next;
            if (!Double.isFinite(a) || !Double.isFinite(b)) {
                return Optional.empty();
            }
            if (Math.max(Math.abs(da), Math.abs(db)) < TOLERANCE) { // the full Newton step: a stalled halving is not convergence
                double slope = b / sd;
                return Optional.of(new Fit(a - slope * mean, slope));
            }
        }
        return Optional.empty();
    }

    private static double logLikelihood(List<Point> points, double[] z, double a, double b) {
        double ll = 0;
        for (int i = 0; i < z.length; i++) {
            Point p = points.get(i);
            double eta = a + b * z[i];
            // events log P + (n - events) log(1 - P) = events eta - n log(1 + e^eta), the log1p written to not overflow.
            double log1pExp = eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
            ll += p.events() * eta - p.n() * log1pExp;
        }
        return ll;
    }

    private static double sigmoid(double eta) {
        return eta >= 0 ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta) / (1 + Math.exp(eta));
    }
}
