package com.customerhealth.config;

import com.customerhealth.JobFailure;
import com.typesafe.config.Config;

/** Settings of the cohorts job (conf {@code cohorts}); reference.conf explains each. */
public record CohortSettings(String cohortGrain, int minCohortSize, int periodMonths, String lapseChurnType,
                             int renewalGraceDays, double grossMargin, int clvChurnWindowMonths, int horizonDays) {

    static CohortSettings from(Config root) {
        Config c = root.getConfig("cohorts");
        CohortSettings out = new CohortSettings(c.getString("cohort-grain"), c.getInt("min-cohort-size"), c.getInt("period-months"),
                c.getString("lapse-churn-type"), c.getInt("renewal-grace-days"), c.getDouble("gross-margin"),
                c.getInt("clv-churn-window-months"), c.getInt("horizon-days"));
        if (!out.cohortGrain().equals("month") && !out.cohortGrain().equals("quarter")) {
            throw JobFailure.badConfig("cohorts.cohort-grain = " + out.cohortGrain() + ": use month or quarter.", "");
        }
        if (!out.lapseChurnType().equals("voluntary") && !out.lapseChurnType().equals("involuntary")) {
            throw JobFailure.badConfig("cohorts.lapse-churn-type = " + out.lapseChurnType() + ": use voluntary or involuntary.", "");
        }
        if (out.periodMonths() < 1 || out.clvChurnWindowMonths() < 1 || out.horizonDays() < 1 || out.renewalGraceDays() < 0
                || out.minCohortSize() < 0) {
            throw JobFailure.badConfig("cohorts: period-months, clv-churn-window-months and horizon-days must be above 0, "
                    + "renewal-grace-days and min-cohort-size 0 or more.", "Got " + out);
        }
        if (!(out.grossMargin() > 0 && out.grossMargin() <= 1)) {
            throw JobFailure.badConfig("cohorts.gross-margin = " + out.grossMargin() + " must be in (0, 1].", "");
        }
        return out;
    }
}
