package com.customerhealth.score;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import static org.apache.spark.sql.functions.col;

import com.customerhealth.config.HealthModel;
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

    /**
     * A segment's own approved weights (its scorecard): the model of health_weights version
     * {@code <version>/<grouping>=<segment>}.
     *
     * @param grouping {@code industry} or {@code size_band}: the score row column the segment is read from
     */
    public record Scorecard(String grouping, String segment, HealthModel model) {
    }

    /**
     * The weights version a score row uses: the approved scorecard of its industry, else of its size band, else
     * {@code globalVersion}. An industry's scorecard wins over a size band's (an industry is the narrower peer group
     * leadership reasons about; docs/calibration.md). Reads the row's {@code industry} and {@code size_band}.
     */
    public static Column weightsVersion(List<Scorecard> scorecards, String globalVersion) {
        Column version = lit(globalVersion);
        for (String grouping : List.of("size_band", "industry")) { // the later wraps the earlier: industry wins
            for (Scorecard s : scorecards) {
                if (s.grouping().equals(grouping)) {
                    version = when(col(grouping).equalTo(s.segment()), lit(s.model().version())).otherwise(version);
                }
            }
        }
        return version;
    }
}
