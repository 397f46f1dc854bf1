package com.customerhealth.calibrate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.spark.HashDraws;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many fits of the bounded logistic regression at once, over training rows packed and cached once:
 * cross-validation (every fold x every regularisation value), the fit on all rows, each segment's own fit
 * and every bootstrap replicate. Each pass over the rows computes the loss, gradient and Hessian of every
 * fit still moving, so the number of passes is the number of Newton steps (a handful), not fits x
 * iterations, and no fit is a Spark job per iteration.
 *
 * <p>A fit is a {@link Problem}: how much each row counts (its {@link RowWeight}: 1 or 0 for a fold or a
 * segment, the account's Poisson(1) draw for a bootstrap replicate), its L2 regularisation and its start.
 * The objective is MLlib's for {@link WeightFit#bounded} on the rows so weighted: the weighted mean of the
 * logistic loss, plus (regParam / 2) x the sum of the squared coefficients on standardised features (each
 * feature divided by its standard deviation under the fit's weights, MLlib's unbiased weighted formula),
 * the intercept free and every metric coefficient bounded to &lt;= 0. It is solved by projected Newton
 * (Bertsekas): a metric at its bound 0 whose gradient pushes it up stays there, the others take the Newton
 * step, the step is projected on the bounds and halved until the loss falls enough (Armijo).
 * {@code JointFitsTest} checks fits, cross-validation losses and replicates against MLlib's own.
 *
 * <p>The rows stay on the executors, packed in blocks (features, label, fold, segment values, the
 * replicates' draws as bytes); the driver holds per fit only its coefficients, gradient and Hessian
 * (metrics + 1 and their square).
 */
final class JointFits {
    private static final Logger LOG = LoggerFactory.getLogger(JointFits.class);
    /** Rows per block. */
    private static final int BLOCK_ROWS = 4096;
    private static final int MAX_PASSES = 80;
    private static final double ARMIJO = 1e-4;
    /** Converged when a step moves no coordinate (standardised) by more than this, relative to the largest. */
    private static final double STEP_TOLERANCE = 1e-11;
    /** MLlib's clipping of predicted probabilities in its log loss. */
    private static final double LOG_LOSS_EPS = 1e-15;

    private JointFits() {
    }

    /**
     * Replicate r's weight of a row: the Poisson(1) draw of (seed, r, the row's account), the same for every
     * snapshot of an account, so the bootstrap resamples accounts.
     */
    static Column draw(long seed, int replicate) {
        return HashDraws.poissonOne(seed, "bootstrap", lit(replicate), col("account_id"));
    }

    /** How much a packed row counts in a fit: 0 leaves it out. */
    @FunctionalInterface
    interface RowWeight extends Serializable {
        int of(Block b, int row);

        /** Every row, once. */
        static RowWeight all() {
            return (b, i) -> 1;
        }

        /** The rows outside fold k: a cross-validation fit's training rows. */
        static RowWeight outsideFold(int k) {
            return (b, i) -> b.fold[i] != k ? 1 : 0;
        }

        /** The rows of fold k: a cross-validation fit's validation rows. */
        static RowWeight inFold(int k) {
            return (b, i) -> b.fold[i] == k ? 1 : 0;
        }

        /** The rows whose value of grouping g (its index in {@link Packing#groupings}) is value v (its index there). */
        static RowWeight inGroup(int g, int v) {
            return (b, i) -> b.groups[i * b.g + g] == v ? 1 : 0;
        }

        /** Bootstrap replicate r: the draw of the row's account. */
        static RowWeight replicate(int r) {
            return (b, i) -> b.draws[i * b.r + r];
        }
    }

    /**
     * One fit: its rows' weights, its L2 regularisation, and where Newton starts (unscaled; null
     * coefficients: MLlib's own start, the intercept at the log odds of churn and every coefficient 0).
     */
    record Problem(RowWeight weight, double regParam, double startIntercept, double[] startCoefficients, boolean bounded) {
        Problem(RowWeight weight, double regParam, double startIntercept, double[] startCoefficients) {
            this(weight, regParam, startIntercept, startCoefficients, true);
        }

        static Problem cold(RowWeight weight, double regParam) {
            return new Problem(weight, regParam, Double.NaN, null);
        }

        static Problem from(RowWeight weight, double regParam, Result start) {
            return new Problem(weight, regParam, start.intercept(), start.coefficients());
        }

        /**
         * The same fit without the bound: every metric coefficient free to take either sign (the unconstrained
         * estimate a wrong-signed metric is judged by), started from {@code start}.
         */
        static Problem unbounded(RowWeight weight, double regParam, Result start) {
            return new Problem(weight, regParam, start.intercept(), start.coefficients(), false);
        }
    }

    /**
     * A fit's intercept and unscaled coefficients (metric order); {@code failed} when its rows hold no churner
     * or no stayer (nothing to fit), {@code converged} false when the pass limit stopped it first.
     */
    record Result(double intercept, double[] coefficients, boolean failed, boolean converged) {
    }

    /** Results in problem order, and the passes over the rows they took. */
    record Fits(List<Result> results, int passes) {
        long unconverged() {
            return results.stream().filter(r -> !r.failed() && !r.converged()).count();
        }
    }

    /**
     * What the rows are packed with besides features and label.
     *
     * @param foldColumn int column of the cross-validation fold, or null
     * @param groupings  segment columns (string) and, for each, the values that get an index (others: -1)
     * @param seed       seed of the bootstrap draws
     * @param replicates bootstrap replicates packed (0: none)
     */
    record Packing(String foldColumn, List<Grouping> groupings, long seed, int replicates) {
    }

    /** A segment column and the values that have a fit of their own. */
    record Grouping(String column, List<String> values) {
    }

    /**
     * Packs the training rows once, in a fixed order (hash-partitioned by account, sorted by account and
     * date), so the blocks and every sum over them do not depend on the order the rows arrived in: a re-run,
     * or the same data read another way, gives the same fits to the last digit.
     *
     * @param train          rows with {@code account_id}, {@code as_of_date}, the feature columns and {@code label}
     * @param featureColumns the metrics' columns, in model order
     */
    static Packed pack(Dataset<Row> train, List<String> featureColumns, Packing packing) {
        int p = featureColumns.size();
        List<Column> select = new ArrayList<>();
        featureColumns.forEach(c -> select.add(col(c).cast("double")));
        select.add(col(WeightFit.LABEL).cast("double"));
        select.add(packing.foldColumn() == null ? lit(0) : col(packing.foldColumn()).cast("int"));
        List<Column> groups = new ArrayList<>();
        for (Grouping g : packing.groupings()) {
            Column index = lit(-1);
            for (int v = g.values().size() - 1; v >= 0; v--) {
                index = when(col(g.column()).equalTo(g.values().get(v)), lit(v)).otherwise(index);
            }
            groups.add(index);
        }
        select.add(groups.isEmpty() ? array().cast("array<int>") : array(groups.toArray(Column[]::new)));
        List<Column> draws = new ArrayList<>();
        for (int r = 0; r < packing.replicates(); r++) {
            draws.add(draw(packing.seed(), r));
        }
        select.add(draws.isEmpty() ? array().cast("array<int>") : array(draws.toArray(Column[]::new)));
        int partitions = Math.max(1, train.rdd().getNumPartitions());
        Dataset<Row> ordered = train.repartition(partitions, col("account_id")).sortWithinPartitions("account_id", "as_of_date");
        int g = packing.groupings().size();
        int replicates = packing.replicates();
        JavaRDD<Block> blocks = ordered.select(select.toArray(Column[]::new)).toJavaRDD()
                .mapPartitions(rows -> Block.pack(rows, p, g, replicates))
                .persist(StorageLevel.MEMORY_AND_DISK());
        return new Packed(blocks, p);
    }

    /** Packed training rows, cached on the executors until {@link #close}. */
    static final class Packed implements AutoCloseable {
        private final JavaRDD<Block> blocks;
        private final int p;

        private Packed(JavaRDD<Block> blocks, int p) {
            this.blocks = blocks;
            this.p = p;
        }

        /**
         * Fits every problem; one pass for the weighted moments, then one pass per Newton step of the slowest. Each pass
         * is logged with how many fits are still moving, under {@code what} ("bootstrap and segment fits").
         */
        Fits fit(String what, List<Problem> problems) {
            int n = problems.size();
            if (n == 0) {
                return new Fits(List.of(), 0);
            }
            RowWeight[] weights = problems.stream().map(Problem::weight).toArray(RowWeight[]::new);
            int momentSize = 3 + 2 * p;
            double[] moments = blocks.treeAggregate(new double[n * momentSize],
                    (acc, b) -> b.addMoments(acc, weights), JointFits::add, 2);
            Solver[] solvers = new Solver[n];
            for (int k = 0; k < n; k++) {
                solvers[k] = Solver.start(moments, k, p, problems.get(k));
            }
            int slot = slotSize(p);
            int passes = 1;
            while (passes < MAX_PASSES) {
                int[] ids = IntStream.range(0, n).filter(k -> !solvers[k].done).toArray();
                if (ids.length == 0) {
                    break;
                }
                double[][] points = new double[ids.length][];
                RowWeight[] active = new RowWeight[ids.length];
                for (int k = 0; k < ids.length; k++) {
                    points[k] = solvers[ids[k]].unscaledTrial();
                    active[k] = weights[ids[k]];
                }
                double[] sums = blocks.treeAggregate(new double[ids.length * slot],
                        (acc, b) -> b.addDerivatives(acc, active, points), JointFits::add, 2);
                passes++;
                for (int k = 0; k < ids.length; k++) {
                    solvers[ids[k]].take(sums, k * slot);
                }
                LOG.info("{}: pass {}, {} of {} fits still moving", what, passes, ids.length, n);
            }
            List<Result> out = new ArrayList<>();
            for (Solver s : solvers) {
                out.add(s.failed ? new Result(Double.NaN, null, true, true)
                        : new Result(s.unscaledIntercept(), s.unscaledCoefficients(), false, s.done));
            }
            return new Fits(List.copyOf(out), passes);
        }

        /**
         * The weighted mean log loss of each fit on its rows (MLlib's, probabilities clipped to [1e-15, 1 - 1e-15]),
         * in one pass: a cross-validation fit judged on its fold.
         */
        double[] logLoss(List<RowWeight> rows, List<Result> fits) {
            int n = rows.size();
            RowWeight[] weights = rows.toArray(RowWeight[]::new);
            double[][] points = new double[n][];
            for (int k = 0; k < n; k++) {
                Result f = fits.get(k);
                double[] point = new double[p + 1];
                point[0] = f.intercept();
                System.arraycopy(f.coefficients(), 0, point, 1, p);
                points[k] = point;
            }
            double[] sums = blocks.treeAggregate(new double[2 * n], (acc, b) -> b.addLogLoss(acc, weights, points),
                    JointFits::add, 2);
            double[] out = new double[n];
            for (int k = 0; k < n; k++) {
                out[k] = sums[2 * k] / sums[2 * k + 1];
            }
            return out;
        }

        @Override
        public void close() {
            blocks.unpersist(false);
        }
    }

    /** Loss, gradient (p + 1) and the Hessian's upper triangle ((p + 1)(p + 2) / 2) of one fit. */
    private static int slotSize(int p) {
        return 1 + (p + 1) + (p + 1) * (p + 2) / 2;
    }

    private static double[] add(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
        return a;
    }

    /** Rows packed for the passes: features row-major, labels, folds, segment value indexes and the replicates' draws. */
    static final class Block implements Serializable {
        private static final long serialVersionUID = 2L;
        final int n;
        final int p;
        final int g;
        final int r;
        final double[] x;
        final double[] y;
        final byte[] fold;
        final byte[] groups;
        final byte[] draws;

        private Block(int n, int p, int g, int r, double[] x, double[] y, byte[] fold, byte[] groups, byte[] draws) {
            this.n = n;
            this.p = p;
            this.g = g;
            this.r = r;
            this.x = x;
            this.y = y;
            this.fold = fold;
            this.groups = groups;
            this.draws = draws;
        }

        static Iterator<Block> pack(Iterator<Row> rows, int p, int g, int r) {
            List<Block> out = new ArrayList<>();
            Builder b = new Builder(p, g, r);
            while (rows.hasNext()) {
                if (b.add(rows.next()) == BLOCK_ROWS) {
                    out.add(b.build());
                    b = new Builder(p, g, r);
                }
            }
            if (b.n > 0) {
                out.add(b.build());
            }
            return out.iterator();
        }

        /** Per fit: sum w, sum w^2, sum w y, then sum w x_j and sum w x_j^2 per feature. */
        double[] addMoments(double[] acc, RowWeight[] weights) {
            int size = 3 + 2 * p;
            for (int k = 0; k < weights.length; k++) {
                RowWeight weight = weights[k];
                int base = k * size;
                for (int i = 0; i < n; i++) {
                    int wi = weight.of(this, i);
                    if (wi == 0) {
                        continue;
                    }
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

        /** For each active fit at its point (intercept, coefficients; unscaled): weighted loss, gradient, Hessian. */
        double[] addDerivatives(double[] acc, RowWeight[] weights, double[][] points) {
            int slot = slotSize(p);
            int q = p + 1;
            double[] xt = new double[q];
            xt[0] = 1.0;
            for (int k = 0; k < weights.length; k++) {
                RowWeight weight = weights[k];
                double[] beta = points[k];
                int base = k * slot;
                for (int i = 0; i < n; i++) {
                    int wi = weight.of(this, i);
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

        /** Per fit: the weighted sum of MLlib's log loss (clipped probabilities) and the sum of weights. */
        double[] addLogLoss(double[] acc, RowWeight[] weights, double[][] points) {
            for (int k = 0; k < weights.length; k++) {
                RowWeight weight = weights[k];
                double[] beta = points[k];
                for (int i = 0; i < n; i++) {
                    int wi = weight.of(this, i);
                    if (wi == 0) {
                        continue;
                    }
                    double margin = beta[0];
                    for (int j = 0; j < p; j++) {
                        margin += beta[j + 1] * x[i * p + j];
                    }
                    double prob = 1.0 / (1.0 + Math.exp(-margin));
                    double ofLabel = y[i] == 1.0 ? prob : 1.0 - prob;
                    acc[2 * k] += wi * -Math.log(Math.min(Math.max(ofLabel, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS));
                    acc[2 * k + 1] += wi;
                }
            }
            return acc;
        }
    }

    /** Fills one block row by row. */
    private static final class Builder {
        final int p;
        final int g;
        final int r;
        final double[] x;
        final double[] y = new double[BLOCK_ROWS];
        final byte[] fold = new byte[BLOCK_ROWS];
        final byte[] groups;
        final byte[] draws;
        int n;

        Builder(int p, int g, int r) {
            this.p = p;
            this.g = g;
            this.r = r;
            x = new double[BLOCK_ROWS * p];
            groups = new byte[BLOCK_ROWS * g];
            draws = new byte[BLOCK_ROWS * r];
        }

        /** Adds a row (features, label, fold, group indexes, draws); returns the rows held. */
        int add(Row row) {
            for (int j = 0; j < p; j++) {
                x[n * p + j] = row.getDouble(j);
            }
            y[n] = row.getDouble(p);
            fold[n] = (byte) row.getInt(p + 1);
            List<Object> gs = row.getList(p + 2);
            for (int k = 0; k < g; k++) {
                groups[n * g + k] = ((Number) gs.get(k)).byteValue();
            }
            List<Object> ds = row.getList(p + 3);
            for (int k = 0; k < r; k++) {
                draws[n * r + k] = ((Number) ds.get(k)).byteValue();
            }
            return ++n;
        }

        Block build() {
            return n == BLOCK_ROWS ? new Block(n, p, g, r, x, y, fold, groups, draws)
                    : new Block(n, p, g, r, Arrays.copyOf(x, n * p), Arrays.copyOf(y, n), Arrays.copyOf(fold, n),
                            Arrays.copyOf(groups, n * g), Arrays.copyOf(draws, n * r));
        }
    }

    /** One fit's projected-Newton state, in the standardised space (index 0 the intercept). */
    private static final class Solver {
        final int p;
        final double regParam;
        final double weightSum;
        /** Standard deviation per feature under the fit's weights (index j + 1); 0: the feature is left out. */
        final double[] sd;
        /** Whether every metric coefficient is bounded to &lt;= 0 (false: free, the unconstrained fit). */
        final boolean bounded;
        double[] theta;
        double objective = Double.NaN;
        double[] gradient;
        double[] direction;
        double[] trial;
        double step;
        boolean done;
        boolean failed;

        private Solver(int p, double regParam, double weightSum, double[] sd, boolean bounded) {
            this.bounded = bounded;
            this.p = p;
            this.regParam = regParam;
            this.weightSum = weightSum;
            this.sd = sd;
        }

        static Solver start(double[] moments, int k, int p, Problem problem) {
            int base = k * (3 + 2 * p);
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
            Solver s = new Solver(p, problem.regParam(), sw, sd, problem.bounded());
            if (!(sw > 0) || swy <= 0 || swy >= sw) { // no rows, or only churners or only stayers: nothing to fit
                s.done = true;
                s.failed = true;
                return s;
            }
            double[] theta = new double[p + 1];
            if (problem.startCoefficients() == null) {
                theta[0] = Math.log(swy / (sw - swy)); // MLlib's start: the log odds, every coefficient 0
            } else {
                theta[0] = problem.startIntercept();
                for (int j = 0; j < p; j++) {
                    double t = problem.startCoefficients()[j] * sd[j + 1];
                    theta[j + 1] = problem.bounded() ? Math.min(0.0, t) : t;
                }
            }
            s.theta = theta;
            s.trial = theta.clone();
            return s;
        }

        double[] unscaledTrial() {
            return unscale(trial);
        }

        double unscaledIntercept() {
            return theta[0];
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
                free[a] = a == 0 || (sd[a] > 0 && (!bounded || theta[a] < -1e-12 || g[a] > 0));
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
                out[j] = bounded ? Math.min(0.0, from[j] + alpha * d[j]) : from[j] + alpha * d[j];
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
