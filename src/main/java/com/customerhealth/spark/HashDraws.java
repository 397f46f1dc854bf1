package com.customerhealth.spark;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import org.apache.spark.sql.Column;

/**
 * Deterministic random draws as Spark expressions: each draw is a hash of (seed, purpose, row keys),
 * so it does not depend on partitioning, task order or retries, and a re-run draws the same values.
 */
public final class HashDraws {
    private static final long TWO_53 = 1L << 53;
    /** P(Poisson(1) <= k) for k = 0..8; the rest (about 1e-6) is 9. */
    private static final double[] POISSON1_CDF = cdfOfPoissonOne(8);

    private HashDraws() {
    }

    /** Uniform [0, 1) from a hash of the seed, a purpose and the row keys. */
    public static Column uniform(long seed, String purpose, Column... keys) {
        Column[] all = new Column[keys.length + 2];
        all[0] = lit(seed);
        all[1] = lit(purpose);
        System.arraycopy(keys, 0, all, 2, keys.length);
        return pmod(xxhash64(all), lit(TWO_53)).cast("double").divide((double) TWO_53);
    }

    /** A Poisson(1) count (0, 1, 2, ...) by inverting its CDF at {@link #uniform}. */
    public static Column poissonOne(long seed, String purpose, Column... keys) {
        Column u = uniform(seed, purpose, keys);
        Column out = when(u.lt(POISSON1_CDF[0]), lit(0));
        for (int k = 1; k < POISSON1_CDF.length; k++) {
            out = out.when(u.lt(POISSON1_CDF[k]), lit(k));
        }
        return out.otherwise(lit(POISSON1_CDF.length));
    }

    private static double[] cdfOfPoissonOne(int max) {
        double[] cdf = new double[max + 1];
        double p = Math.exp(-1);
        double sum = 0;
        for (int k = 0; k <= max; k++) {
            sum += p;
            cdf[k] = sum;
            p /= (k + 1);
        }
        return cdf;
    }
}
