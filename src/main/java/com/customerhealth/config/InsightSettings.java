package com.customerhealth.config;

import com.customerhealth.JobFailure;
import com.typesafe.config.Config;

/** Settings of the insights job (conf {@code insights}); reference.conf explains each. */
public record InsightSettings(double trendThreshold, int topConcerns, int minGroupSize, Segmentation segments) {

    /** The segment rules (conf {@code insights.segments}). */
    public record Segmentation(double vipTopShare, double potentialMinGrowthRating, double expansionSeatUtilisation,
                               double expansionMrrGrowth) {
    }

    static InsightSettings from(Config root) {
        Config c = root.getConfig("insights");
        Config s = c.getConfig("segments");
        InsightSettings out = new InsightSettings(c.getDouble("trend-threshold"), c.getInt("top-concerns"), c.getInt("min-group-size"),
                new Segmentation(s.getDouble("vip-top-share"), s.getDouble("potential-min-growth-rating"),
                        s.getDouble("expansion-seat-utilisation"), s.getDouble("expansion-mrr-growth")));
        if (!(out.trendThreshold() > 0) || out.topConcerns() < 1 || out.minGroupSize() < 0
                || !(out.segments().vipTopShare() > 0 && out.segments().vipTopShare() < 1)) {
            throw JobFailure.badConfig("insights: trend-threshold must be above 0, top-concerns at least 1, min-group-size 0 or "
                    + "more, segments.vip-top-share in (0, 1).", "Got " + out);
        }
        return out;
    }
}
