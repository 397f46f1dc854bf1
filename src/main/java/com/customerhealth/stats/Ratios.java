package com.customerhealth.stats;

import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;

/** Rates as Spark expressions. */
public final class Ratios {
    private Ratios() {
    }

    /** num / den as a double; null when den is 0 or null (no division then, for ANSI mode). */
    public static Column ratio(Column num, Column den) {
        return when(den.gt(0), num.cast("double").divide(den.cast("double")));
    }
}
