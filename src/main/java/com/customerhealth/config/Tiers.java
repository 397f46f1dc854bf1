package com.customerhealth.config;

import com.customerhealth.JobFailure;
import com.typesafe.config.Config;

/** Health-tier bounds by score (conf {@code tiers}); reference.conf gives the exact rule. */
public record Tiers(double healthyFrom, double needsAttentionAbove, double atRiskFrom) {

    static Tiers from(Config root) {
        Tiers t = new Tiers(root.getDouble("tiers.healthy-from"), root.getDouble("tiers.needs-attention-above"),
                root.getDouble("tiers.at-risk-from"));
        if (!(t.atRiskFrom() <= t.needsAttentionAbove() && t.needsAttentionAbove() < t.healthyFrom())) {
            throw JobFailure.badConfig("tiers must satisfy at-risk-from <= needs-attention-above < healthy-from.", "Got " + t);
        }
        return t;
    }
}
