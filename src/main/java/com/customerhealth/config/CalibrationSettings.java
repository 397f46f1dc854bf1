package com.customerhealth.config;

import com.customerhealth.JobFailure;
import com.typesafe.config.Config;
import java.util.List;

/** Settings of the calibrate job (conf {@code calibration}); reference.conf explains each, docs/calibration.md the method. */
public record CalibrationSettings(int lookbackMonths, int horizonDays, int holdoutMonths, boolean countInvoluntary,
                                  int folds, List<Double> regParams, int bootstrapReplicates, double intervalLevel,
                                  double shrinkageK, long minChurnEvents, double maxWeightChange,
                                  long segmentMinChurnEvents, double segmentAucGap, long seed, int parallelism) {

    static CalibrationSettings from(Config root) {
        Config c = root.getConfig("calibration");
        CalibrationSettings out = new CalibrationSettings(c.getInt("lookback-months"), c.getInt("horizon-days"), c.getInt("holdout-months"),
                c.getBoolean("count-involuntary"), c.getInt("folds"), List.copyOf(c.getDoubleList("reg-params")),
                c.getInt("bootstrap-replicates"), c.getDouble("interval-level"), c.getDouble("shrinkage-k"),
                c.getLong("min-churn-events"), c.getDouble("max-weight-change"), c.getLong("segment-min-churn-events"),
                c.getDouble("segment-auc-gap"), c.getLong("seed"), c.getInt("parallelism"));
        if (out.holdoutMonths() < 1 || out.lookbackMonths() <= out.holdoutMonths()) {
            throw JobFailure.badConfig("calibration: holdout-months must be at least 1 and below lookback-months.", "Got " + out);
        }
        if (out.horizonDays() < 1 || out.folds() < 2 || out.bootstrapReplicates() < 2 || out.parallelism() < 1) {
            throw JobFailure.badConfig("calibration: horizon-days and parallelism must be at least 1, folds and "
                    + "bootstrap-replicates at least 2.", "Got " + out);
        }
        if (out.regParams().isEmpty() || out.regParams().stream().anyMatch(r -> !(r >= 0))) {
            throw JobFailure.badConfig("calibration.reg-params needs one or more values, each 0 or more.", "Got " + out.regParams());
        }
        if (!(out.intervalLevel() > 0 && out.intervalLevel() < 1) || !(out.shrinkageK() >= 0) || !(out.maxWeightChange() >= 0)
                || out.minChurnEvents() < 1 || out.segmentMinChurnEvents() < 1 || !(out.segmentAucGap() >= 0)) {
            throw JobFailure.badConfig("calibration: interval-level must be in (0, 1); shrinkage-k, max-weight-change and "
                    + "segment-auc-gap 0 or more; min-churn-events and segment-min-churn-events at least 1.", "Got " + out);
        }
        return out;
    }
}
