package com.customerhealth.config;

import com.customerhealth.JobFailure;
import com.typesafe.config.Config;
import java.util.List;
import java.util.Set;

/** Settings of the steps that act on the score (conf {@code actions}); reference.conf explains each. */
public record ActionSettings(Alerts alerts, Drift drift) {

    /** score_drift bins and PSI flags (conf {@code actions.drift}). */
    public record Drift(int bins, double moderatePsi, double significantPsi, double epsilon) {
    }

    /** health_alerts thresholds (conf {@code actions.alerts}). */
    public record Alerts(double scoreDropPoints, double newConcernMinPoints, int renewalWindowDays, List<String> renewalTiers,
                         int paymentOverdueDays, int overrideExpiryDays) {
    }

    private static final Set<String> TIERS = Set.of("healthy", "needs_attention", "at_risk", "critical", "no_data");

    static ActionSettings from(Config root) {
        Config a = root.getConfig("actions.alerts");
        Alerts alerts = new Alerts(a.getDouble("score-drop-points"), a.getDouble("new-concern-min-points"), a.getInt("renewal-window-days"),
                List.copyOf(a.getStringList("renewal-tiers")), a.getInt("payment-overdue-days"), a.getInt("override-expiry-days"));
        if (!(alerts.scoreDropPoints() > 0) || alerts.newConcernMinPoints() < 0 || alerts.renewalWindowDays() < 0
                || alerts.paymentOverdueDays() < 0 || alerts.overrideExpiryDays() < 0 || !TIERS.containsAll(alerts.renewalTiers())) {
            throw JobFailure.badConfig("actions.alerts: score-drop-points must be above 0; new-concern-min-points, renewal-window-days, "
                    + "payment-overdue-days and override-expiry-days 0 or more; renewal-tiers tiers among " + TIERS + ".", "Got " + alerts);
        }
        Config d = root.getConfig("actions.drift");
        Drift drift = new Drift(d.getInt("bins"), d.getDouble("moderate-psi"), d.getDouble("significant-psi"), d.getDouble("epsilon"));
        // bins divides 100: the training reference is kept in 1-point bins, each of which must fall in one drift bin.
        if (drift.bins() < 2 || 100 % drift.bins() != 0 || !(drift.moderatePsi() > 0 && drift.moderatePsi() < drift.significantPsi())
                || !(drift.epsilon() > 0 && drift.epsilon() < 1)) {
            throw JobFailure.badConfig("actions.drift: bins must divide 100 (2, 4, 5, 10, 20, 25 or 50), 0 < moderate-psi < significant-psi, epsilon in (0, 1).",
                    "Got " + drift);
        }
        return new ActionSettings(alerts, drift);
    }
}
