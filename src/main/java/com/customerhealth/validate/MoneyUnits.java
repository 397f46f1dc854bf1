package com.customerhealth.validate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.lit;

import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A column of the right name in the wrong unit passes every row rule: MRR loaded in cents is a valid, positive
 * amount, 100 times too large, and would silently inflate every revenue figure. Invoices bill the same money
 * (monthly: one MRR; quarterly or yearly: 3 or 12), so the two medians must agree within that range; when they do
 * not, one of the two sources is in another unit. The check warns and the run goes on (rule {@value #RULE}): a
 * warehouse may have a real reason, and the data engineer decides.
 */
public final class MoneyUnits {
    public static final String RULE = "money_units_agree";
    /** Median MRR over median invoice: 1 when billed monthly, 1/12 when yearly. Outside this range, a unit differs. */
    static final double MIN_RATIO = 1.0 / 24;
    static final double MAX_RATIO = 4.0;

    private MoneyUnits() {
    }

    /** The warning for the clean tables of a run, if their money disagrees; nothing when either table was not loaded. */
    public static Optional<String> check(ValidatedWarehouse warehouse) {
        Optional<Dataset<Row>> periods = warehouse.optionalTable("subscription_periods");
        Optional<Dataset<Row>> invoices = warehouse.optionalTable("invoices");
        if (periods.isEmpty() || invoices.isEmpty()) {
            return Optional.empty();
        }
        // One Spark job: both medians in one row (approximate: a factor of 4 is the question, not the cent).
        Row medians = periods.get().where(col("mrr").gt(0)).agg(percentile_approx(col("mrr").cast("double"), lit(0.5), lit(1000)).as("mrr"))
                .crossJoin(invoices.get().where(col("amount").gt(0))
                        .agg(percentile_approx(col("amount").cast("double"), lit(0.5), lit(1000)).as("amount")))
                .first();
        if (medians.isNullAt(0) || medians.isNullAt(1)) {
            return Optional.empty();
        }
        return warning(medians.getDouble(0), medians.getDouble(1));
    }

    /** The warning for these two medians, if their ratio is outside what billing periods explain. */
    static Optional<String> warning(double medianMrr, double medianInvoice) {
        double ratio = medianMrr / medianInvoice;
        if (ratio >= MIN_RATIO && ratio <= MAX_RATIO) {
            return Optional.empty();
        }
        String guess = ratio > MAX_RATIO ? "is subscription_periods.mrr in cents, or invoices.amount in thousands?"
                : "is invoices.amount in cents, or subscription_periods.mrr in thousands?";
        String times = ratio > 1 ? String.format(Locale.ROOT, "%.1f times", ratio) : String.format(Locale.ROOT, "1/%.0f of", 1 / ratio);
        return Optional.of(String.format(Locale.ROOT,
                "subscription_periods.mrr and invoices.amount disagree in unit (rule %s): median MRR %,.2f is %s the median "
                        + "invoice %,.2f, where billing monthly to yearly gives 1 to 1/12: %s Check the sources' units; "
                        + "the run goes on with the values as loaded.",
                RULE, medianMrr, times, medianInvoice, guess));
    }
}
