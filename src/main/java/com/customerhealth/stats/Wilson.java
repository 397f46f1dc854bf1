package com.customerhealth.stats;

import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataTypes;

/**
 * The 95% Wilson score interval of a proportion k of n, for churn (and other) rates of cohorts
 * whose counts may be small: unlike the normal approximation p +- z*sqrt(p(1-p)/n) it never leaves
 * [0, 1] and does not collapse to a zero width at 0 of n or n of n.
 *
 * <pre>
 * p = k/n
 * centre = (p + z^2/(2n)) / (1 + z^2/n)
 * half   = z * sqrt(p(1-p)/n + z^2/(4n^2)) / (1 + z^2/n)
 * lower  = centre - half,  upper = centre + half   (clamped to [0, 1] against rounding)
 * </pre>
 *
 * <p>The Column and the plain-Java versions do the same double arithmetic in the same order.
 */
public final class Wilson {
    /** The two-sided 95% standard normal quantile. */
    public static final double Z95 = 1.959963984540054;

    private static final double Z2 = Z95 * Z95;

    private Wilson() {
    }

    /** Lower bound (DOUBLE); null when trials is 0 or null, or successes is null. */
    public static Column lower(Column successes, Column trials) {
        return bound(successes, trials, -1.0);
    }

    /** Upper bound (DOUBLE); null when trials is 0 or null, or successes is null. */
    public static Column upper(Column successes, Column trials) {
        return bound(successes, trials, 1.0);
    }

    /** {lower, upper} of successes of trials; trials must be > 0 and 0 <= successes <= trials. */
    public static double[] interval(long successes, long trials) {
        if (trials <= 0) {
            throw new IllegalArgumentException("trials must be > 0, was " + trials);
        }
        if (successes < 0 || successes > trials) {
            throw new IllegalArgumentException("successes must be in [0, " + trials + "], was " + successes);
        }
        double n = trials;
        double p = successes / n;
        double denominator = 1.0 + Z2 / n;
        double centre = (p + Z2 / (2.0 * n)) / denominator;
        double half = Z95 * Math.sqrt(p * (1.0 - p) / n + Z2 / (4.0 * n * n)) / denominator;
        return new double[] {clamp(centre - half), clamp(centre + half)};
    }

    private static Column bound(Column successes, Column trials, double sign) {
        Column n = trials.cast(DataTypes.DoubleType);
        // Every division is by n and sits inside the when, so n = 0 never divides (ANSI mode).
        Column p = successes.cast(DataTypes.DoubleType).divide(n);
        Column denominator = lit(1.0).plus(lit(Z2).divide(n));
        Column centre = p.plus(lit(Z2).divide(n.multiply(2.0))).divide(denominator);
        Column half = lit(Z95).multiply(sqrt(p.multiply(lit(1.0).minus(p)).divide(n)
                .plus(lit(Z2).divide(n.multiply(4.0).multiply(n))))).divide(denominator);
        Column value = centre.plus(half.multiply(sign));
        return when(n.gt(0), least(greatest(value, lit(0.0)), lit(1.0))).cast(DataTypes.DoubleType);
    }

    private static double clamp(double x) {
        return Math.min(Math.max(x, 0.0), 1.0);
    }
}
