package com.customerhealth.score;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.config.SizeBand;
import java.util.List;
import org.apache.spark.sql.Column;

/** Segment expressions shared by every job. */
public final class Segments {
    private Segments() {
    }

    /** The size band of an employee count: the band with the largest min-employees not above it. */
    public static Column sizeBand(Column employeeCount, List<SizeBand> bands) {
        Column band = lit(null).cast("string");
        for (SizeBand b : bands) { // ascending min-employees: later bands win
            band = when(employeeCount.geq(b.minEmployees()), lit(b.name())).otherwise(band);
        }
        return band;
    }
}
