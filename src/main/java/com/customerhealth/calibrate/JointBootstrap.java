package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.customerhealth.spark.HashDraws;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Every bootstrap replicate's weighted logistic-regression fit at once: each pass over the training rows
 * computes the loss, gradient and Hessian of every replicate still being fitted, so the number of passes
 * is the number of Newton steps (a handful from a warm start), not replicates x iterations.
 *
 * <p>The objective is MLlib's for {@link WeightFit#bounded}, per replicate b: the mean over rows, weighted
 * by the replicate's Poisson(1) draw of the row's account, of the logistic loss, plus (regParam / 2) x the
 * sum of the squared coefficients on standardised features (each feature divided by its standard
 * deviation under the replicate's weights, MLlib's unbiased weighted formula), the intercept free and
 * every metric coefficient bounded to &lt;= 0. It is solved by projected Newton (Bertsekas): a metric at
 * its bound 0 whose gradient pushes it up stays there, the others take the Newton step, the step is
 * projected on the bounds and halved until the loss falls enough (Armijo). Each replicate starts from the
 * fit on all rows, whose optimum is near.
 *
 * <p>The rows stay on the executors, packed in blocks (features, label, the replicates' draws as bytes)
 * that are cached once; the driver holds per replicate only its coefficients, gradient and Hessian
 * (metrics + 1 and their square).
 */
final class JointBootstrap {
    /** Rows per block. */
    private static final int BLOCK_ROWS = 4096;
    private static final int MAX_PASSES = 60;
    private static final double ARMIJO = 1e-4;
    /** Converged when a step moves no coordinate (standardised) by more than this, relative to the largest. */
    private static final double STEP_TOLERANCE = 1e-11;

    /**
     * Replicates' unscaled coefficients (metric order; null when the replicate could not be fitted), the passes
     * it took, and how many replicates were still moving when the pass limit stopped them (their last point kept).
     */
    record Fits(List<double[]> coefficients, int passes, int unconverged) {
    }

    private JointBootstrap() {
    }

    /**
     * @param train          training rows with {@code account_id}, the feature columns and {@code label}
     * @param featureColumns the metrics' columns, in model order
     * @param start          the fit on all training rows (the start of every replicate)
     */
    static Fits fit(Dataset<Row> train, List<String> featureColumns, long seed, int replicates, double regParam,
                    LogisticRegressionModel start) {
        int p = featureColumns.size();
        List<Column> draws = new ArrayList<>();
        for (int r = 0; r < replicates; r++) {
            draws.add(draw(seed, r));
        }
        List<Column> select = new ArrayList<>();
        featureColumns.forEach(c -> select.add(col(c).cast("double")));
        select.add(col(WeightFit.LABEL).cast("double"));
        select.add(array(draws.toArray(Column[]::new)));
        // Rows in a fixed order (by account and date, hash-partitioned by account), so the blocks and the sums
        // do not depend on the order the training rows arrived in: a re-run, or the same data read another way,
        // gives the same replicates to the last digit.
        int partitions = Math.max(1, train.rdd().getNumPartitions());
        Dataset<Row> ordered = train.repartition(partitions, col("account_id")).sortWithinPartitions("account_id", "as_of_date");
        JavaRDD<Block> blocks = ordered.select(select.toArray(Column[]::new)).toJavaRDD()
                .mapPartitions(rows -> Block.pack(rows, p, replicates))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            double[] moments = blocks.treeAggregate(new double[replicates * (3 + 2 * p)],
                    (acc, b) -> b.addMoments(acc, replicates), JointBootstrap::add, 2);
            Replicate[] reps = new Replicate[replicates];
            double[] beta0 = start.coefficients().toArray();
            for (int r = 0; r < replicates; r++) {
                reps[r] = Replicate.start(moments, r, p, regParam, start.intercept(), beta0);
            }
            int slot = slotSize(p);
            int passes = 0;
            while (passes < MAX_PASSES) {
                int[] ids = IntStream.range(0, replicates).filter(r -> !reps[r].done).toArray();
                if (ids.length == 0) {
                    break;
                }
                double[][] points = new double[ids.length][];
                for (int k = 0; k < ids.length; k++) {
                    points[k] = reps[ids[k]].unscaledTrial();
                }
                double[] sums = blocks.treeAggregate(new double[ids.length * slot],
                        (acc, b) -> b.addDerivatives(acc, ids, points, replicates), JointBootstrap::add, 2);
                passes++;
                for (int k = 0; k < ids.length; k++) {
                    reps[ids[k]].take(sums, k * slot);
                }
            }
            List<double[]> out = new ArrayList<>();
            int unconverged = 0;
            for (Replicate r : reps) {
                out.add(r.failed ? null : r.unscaledCoefficients());
                unconverged += r.done ? 0 : 1;
            }
            return new Fits(out, passes, unconverged);
        } finally {
            blocks.unpersist(false);
        }
    }

    /**
     * Replicate r's weight of a row: the Poisson(1) draw of (seed, r, the row's account), the same for every
     * snapshot of an account, so the bootstrap resamples accounts.
     */
    static Column draw(long seed, int replicate) {
        return HashDraws.poissonOne(seed, "bootstrap", lit(replicate), col("account_id"));
    }

    /** Loss, gradient (p + 1) and the Hessian's upper triangle ((p + 1)(p + 2) / 2) of one replicate. */
    private static int slotSize(int p) {
        return 1 + (p + 1) + (p + 1) * (p + 2) / 2;
    }

    private static double[] add(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
        return a;
    }

    /** Rows packed for the passes: features row-major, labels, and each row's draw for every replicate. */
    static final class Block implements Serializable {
        private static final long serialVersionUID = 1L;
        final int n;
        final int p;
        final double[] x;
        final double[] y;
        final byte[] w;

        private Block(int n, int p, double[] x, double[] y, byte[] w) {
            this.n = n;
            this.p = p;
            this.x = x;
            this.y = y;
            this.w = w;
        }

        static Iterator<Block> pack(Iterator<Row> rows, int p, int replicates) {
            List<Block> out = new ArrayList<>();
            double[] x = new double[BLOCK_ROWS * p];
            double[] y = new double[BLOCK_ROWS];
            byte[] w = new byte[BLOCK_ROWS * replicates];
            int n = 0;
            while (rows.hasNext()) {
                Row row = rows.next();
                for (int j = 0; j < p; j++) {
                    x[n * p + j] = row.getDouble(j);
                }
                y[n] = row.getDouble(p);
                List<Object> draws = row.getList(p + 1);
                for (int r = 0; r < replicates; r++) {
                    w[n * replicates + r] = ((Number) draws.get(r)).byteValue();
                }
                if (++n == BLOCK_ROWS) {
                    out.add(new Block(n, p, x, y, w));
                    x = new double[BLOCK_ROWS * p];
                    y = new double[BLOCK_ROWS];
                    w = new byte[BLOCK_ROWS * replicates];
                    n = 0;
                }
            }
            if (n > 0) {
                out.add(new Block(n, p, Arrays.copyOf(x, n * p), Arrays.copyOf(y, n), Arrays.copyOf(w, n * replicates)));
            }
            return out.iterator();
        }

        /** Per replicate: sum w, sum w^2, sum w y, then sum w x_j and sum w x_j^2 per feature. */
        double[] addMoments(double[] acc, int replicates) {
            int size = 3 + 2 * p;
            for (int i = 0; i < n; i++) {
                for (int r = 0; r < replicates; r++) {
                    int wi = w[i * replicates + r];
                    if (wi == 0) {
                        continue;
                    }
                    int base = r * size;
                    acc[base] += wi;
                    acc[base + 1] += (double) wi * wi;
                    acc[base + 2] += wi * y[i];
                    for (int j = 0; j < p; j++) {
                        double v = x[i * p + j];
                        acc[base + 3 + j] += wi * v;
                        acc[base + 3 + p + j] += wi * v * v;
                    }
                }
            }
            return acc;
        }

        /** For each active replicate at its point (intercept, coefficients; unscaled): weighted loss, gradient, Hessian. */
        double[] addDerivatives(double[] acc, int[] ids, double[][] points, int replicates) {
            int slot = slotSize(p);
            int q = p + 1;
            double[] xt = new double[q];
            xt[0] = 1.0;
            for (int k = 0; k < ids.length; k++) {
                int r = ids[k];
                double[] beta = points[k];
                int base = k * slot;
                for (int i = 0; i < n; i++) {
                    int wi = w[i * replicates + r];
                    if (wi == 0) {
                        continue;
                    }
                    double margin = beta[0];
                    for (int j = 0; j < p; j++) {
                        double v = x[i * p + j];
                        xt[j + 1] = v;
                        margin += beta[j + 1] * v;
                    }
                    // log(1 + e^m) - y m, stable for large |m|
                    double softplus = margin > 0 ? margin + Math.log1p(Math.exp(-margin)) : Math.log1p(Math.exp(margin));
                    double prob = 1.0 / (1.0 + Math.exp(-margin));
                    acc[base] += wi * (softplus - y[i] * margin);
                    double resid = wi * (prob - y[i]);
                    double curv = wi * prob * (1.0 - prob);
                    int h = base + 1 + q;
                    for (int a = 0; a < q; a++) {
                        acc[base + 1 + a] += resid * xt[a];
                        double ca = curv * xt[a];
                        for (int c = a; c < q; c++) {
                            acc[h++] += ca * xt[c];
                        }
                    }
                }
            }
            return acc;
        }
    }

    /** One replicate's projected-Newton state, in the standardised space (index 0 the intercept). */
    private static final class Replicate {
        final int p;
        final double regParam;
        final double weightSum;
        /** Standard deviation per feature under the replicate's weights (index j + 1); 0: the feature is left out. */
        final double[] sd;
        double[] theta;
        double objective = Double.NaN;
        double[] gradient;
        double[] direction;
        double[] trial;
        double step;
        boolean done;
        boolean failed;

        private Replicate(int p, double regParam, double weightSum, double[] sd) {
            this.p = p;
            this.regParam = regParam;
            this.weightSum = weightSum;
            this.sd = sd;
        }

        static Replicate start(double[] moments, int r, int p, double regParam, double intercept, double[] beta) {
            int base = r * (3 + 2 * p);
            double sw = moments[base];
            double sw2 = moments[base + 1];
            double swy = moments[base + 2];
            double[] sd = new double[p + 1];
            sd[0] = 1.0;
            for (int j = 0; j < p; j++) {
                double mean = sw > 0 ? moments[base + 3 + j] / sw : 0;
                double denominator = sw - sw2 / sw;
                double variance = denominator > 0 ? (moments[base + 3 + p + j] - sw * mean * mean) / denominator : 0;
                sd[j + 1] = variance > 0 ? Math.sqrt(variance) : 0.0;
            }
            Replicate rep = new Replicate(p, regParam, sw, sd);
            if (!(sw > 0) || swy <= 0 || swy >= sw) { // no rows, or only churners or only stayers: nothing to fit
                rep.done = true;
                rep.failed = true;
                return rep;
            }
            double[] theta = new double[p + 1];
            theta[0] = intercept;
            for (int j = 0; j < p; j++) {
                theta[j + 1] = Math.min(0.0, beta[j] * sd[j + 1]);
            }
            rep.theta = theta;
            rep.trial = theta.clone();
            return rep;
        }

        double[] unscaledTrial() {
            return unscale(trial);
        }

        double[] unscaledCoefficients() {
            return Arrays.copyOfRange(unscale(theta), 1, p + 1);
        }

        private double[] unscale(double[] t) {
            double[] out = new double[p + 1];
            out[0] = t[0];
            for (int j = 1; j <= p; j++) {
                out[j] = sd[j] > 0 ? t[j] / sd[j] : 0.0;
            }
            return out;
        }

        /** Takes the pass's sums at the trial point: accept it (and take the next Newton step) or halve the step. */
        void take(double[] sums, int base) {
            int q = p + 1;
            double f = sums[base] / weightSum;
            double[] g = new double[q];
            double[][] hess = new double[q][q];
            for (int a = 0; a < q; a++) {
                g[a] = sd[a] == 0 ? 0 : sums[base + 1 + a] / weightSum / sd[a];
            }
            int h = base + 1 + q;
            for (int a = 0; a < q; a++) {
                for (int c = a; c < q; c++) {
                    double v = sd[a] == 0 || sd[c] == 0 ? 0 : sums[h] / weightSum / (sd[a] * sd[c]);
                    hess[a][c] = v;
                    hess[c][a] = v;
                    h++;
                }
            }
            for (int j = 1; j < q; j++) {
                f += 0.5 * regParam * trial[j] * trial[j];
                g[j] += regParam * trial[j];
                hess[j][j] += regParam;
            }
            if (Double.isNaN(objective)) { // the start
                accept(f, g, hess);
                return;
            }
            double decrease = 0;
            for (int a = 0; a < q; a++) {
                decrease += gradient[a] * (trial[a] - theta[a]);
            }
            if (f <= objective + ARMIJO * decrease) {
                double moved = 0;
                double size = 1;
                for (int a = 0; a < q; a++) {
                    moved = Math.max(moved, Math.abs(trial[a] - theta[a]));
                    size = Math.max(size, Math.abs(trial[a]));
                }
                accept(f, g, hess);
                // Converged when a step no longer moves the point: Newton's last steps square the error, so this
                // leaves the coefficients at rounding level.
                if (moved <= STEP_TOLERANCE * size) {
                    done = true;
                }
            } else {
                step /= 2;
                if (step < 1e-10 || negligible(step)) {
                    done = true; // no further decrease along this direction: theta is the best point found
                    return;
                }
                trial = project(theta, direction, step);
            }
        }

        private void accept(double f, double[] g, double[][] hess) {
            theta = trial;
            objective = f;
            gradient = g;
            // Free: the intercept, and metrics inside the bound or whose gradient points into it.
            int q = p + 1;
            boolean[] free = new boolean[q];
            for (int a = 0; a < q; a++) {
                free[a] = a == 0 || (sd[a] > 0 && (theta[a] < -1e-12 || g[a] > 0));
            }
            direction = newtonStep(hess, g, free);
            if (negligible(1.0)) { // the Newton step is at rounding level: theta is the optimum
                done = true;
                return;
            }
            step = 1.0;
            trial = project(theta, direction, step);
        }

        /** Whether {@code alpha} x the direction moves no coordinate by more than the step tolerance. */
        private boolean negligible(double alpha) {
            double moved = 0;
            double size = 1;
            for (int a = 0; a < direction.length; a++) {
                moved = Math.max(moved, Math.abs(alpha * direction[a]));
                size = Math.max(size, Math.abs(theta[a]));
            }
            return moved <= STEP_TOLERANCE * size;
        }

        private double[] project(double[] from, double[] d, double alpha) {
            double[] out = new double[from.length];
            out[0] = from[0] + alpha * d[0];
            for (int j = 1; j < from.length; j++) {
                out[j] = Math.min(0.0, from[j] + alpha * d[j]);
            }
            return out;
        }

        /** Solves H_FF d_F = -g_F on the free coordinates (Cholesky); 0 elsewhere. */
        private static double[] newtonStep(double[][] hess, double[] g, boolean[] free) {
            int q = g.length;
            int[] idx = new int[q];
            int m = 0;
            for (int a = 0; a < q; a++) {
                if (free[a]) {
                    idx[m++] = a;
                }
            }
            double[][] l = new double[m][m];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j <= i; j++) {
                    double s = hess[idx[i]][idx[j]] + (i == j ? 1e-12 : 0);
                    for (int k = 0; k < j; k++) {
                        s -= l[i][k] * l[j][k];
                    }
                    l[i][j] = i == j ? Math.sqrt(Math.max(s, 1e-300)) : s / l[j][j];
                }
            }
            double[] z = new double[m];
            for (int i = 0; i < m; i++) {
                double s = -g[idx[i]];
                for (int k = 0; k < i; k++) {
                    s -= l[i][k] * z[k];
                }
                z[i] = s / l[i][i];
            }
            double[] d = new double[q];
            for (int i = m - 1; i >= 0; i--) {
                double s = z[i];
                for (int k = i + 1; k < m; k++) {
                    s -= l[k][i] * d[idx[k]];
                }
                d[idx[i]] = s / l[i][i];
            }
            return d;
        }
    }
}
