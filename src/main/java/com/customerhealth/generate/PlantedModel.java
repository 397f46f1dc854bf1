package com.customerhealth.generate;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The churn model the generator plants. Every account has three latent health components, each
 * standard normal plus a small industry offset: relationship (r), usage (u) and value (v). At each
 * monthly anniversary of onboarding a customer churns with probability
 *
 * <pre>  p = 1 / (1 + exp(-(INTERCEPT + BETA_R * r + BETA_U * u + BETA_V * v)))</pre>
 *
 * The observable tables are noisy functions of the same components (docs/operations.md, "Synthetic
 * warehouse"), so a calibration that recovers the truth must rank relationship metrics first,
 * then usage, then value.
 */
public final class PlantedModel {
    public static final double INTERCEPT = -4.6;
    public static final double BETA_RELATIONSHIP = -1.0;
    public static final double BETA_USAGE = -0.7;
    public static final double BETA_VALUE = -0.4;
    /** Share of churned accounts that come back (reactivation) after 2-8 months, when time allows. */
    public static final double WIN_BACK_RATE = 0.2;
    /** Logit of a churn being involuntary (failed payment): INVOLUNTARY_INTERCEPT + INVOLUNTARY_BETA_VALUE * v. */
    public static final double INVOLUNTARY_INTERCEPT = -1.2;
    public static final double INVOLUNTARY_BETA_VALUE = -1.0;

    private PlantedModel() {
    }

    /** The coefficients as JSON, written next to the generated warehouse. */
    public static String json(long seed, int accounts, int months, String endDate) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", seed);
        m.put("accounts", accounts);
        m.put("months", months);
        m.put("end_date", "\"" + endDate + "\"");
        m.put("monthly_churn_logit_intercept", INTERCEPT);
        m.put("beta_relationship", BETA_RELATIONSHIP);
        m.put("beta_usage", BETA_USAGE);
        m.put("beta_value", BETA_VALUE);
        m.put("win_back_rate", WIN_BACK_RATE);
        m.put("involuntary_logit_intercept", INVOLUNTARY_INTERCEPT);
        m.put("involuntary_beta_value", INVOLUNTARY_BETA_VALUE);
        StringBuilder sb = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, Object> e : m.entrySet()) {
            sb.append(String.format(Locale.ROOT, "  \"%s\": %s%s\n", e.getKey(), e.getValue(), ++i < m.size() ? "," : ""));
        }
        return sb.append("}\n").toString();
    }
}
