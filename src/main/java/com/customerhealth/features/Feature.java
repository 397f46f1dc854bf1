package com.customerhealth.features;

import java.util.Arrays;
import java.util.Optional;

/**
 * The feature catalog: every source feature a health-model metric can name. A feature is
 * computed per account and as-of date D from rows whose event date lies in (D - window, D].
 * README.md, "Feature catalog", documents each one exactly as computed.
 */
public enum Feature {
    USAGE_ACTIVE_USER_RATIO("usage.active_user_ratio", "usage_daily",
            "average daily active users per licensed seat (days without a row count as 0)"),
    USAGE_ACTIVE_DAYS_SHARE("usage.active_days_share", "usage_daily",
            "share of the window's days with at least one active user"),
    USAGE_SESSIONS_PER_ACTIVE_USER("usage.sessions_per_active_user", "usage_daily",
            "sessions / active-user-days"),
    USAGE_KEY_FEATURE_EVENTS_PER_ACTIVE_USER("usage.key_feature_events_per_active_user", "usage_daily",
            "key-feature events / active-user-days"),
    USAGE_FEATURES_USED("usage.features_used", "usage_daily",
            "average distinct features used per active day (breadth of adoption)"),
    SUPPORT_TICKETS_PER_10_SEATS("support.tickets_per_10_seats", "support_tickets",
            "tickets opened in the window per 10 licensed seats"),
    SUPPORT_HIGH_PRIORITY_TICKETS("support.high_priority_tickets", "support_tickets",
            "tickets of a validation.high-ticket-priorities priority opened in the window"),
    SUPPORT_FIRST_CONTACT_RESOLUTION_RATE("support.first_contact_resolution_rate", "support_tickets",
            "tickets opened in the window and resolved by D with one contact / those resolved by D"),
    SURVEYS_NPS("surveys.nps", "survey_responses",
            "NPS answers in the window: % promoters (9-10) - % detractors (0-6), -100..100"),
    SURVEYS_CSAT_POSITIVE_SHARE("surveys.csat_positive_share", "survey_responses",
            "CSAT answers in the window scoring 4-5 / all CSAT answers"),
    SURVEYS_CES_MEAN("surveys.ces_mean", "survey_responses",
            "mean CES answer in the window"),
    INVOICES_ON_TIME_PAYMENT_RATE("invoices.on_time_payment_rate", "invoices",
            "invoices due in the window paid on or before their due date / invoices due in the window"),
    INVOICES_AVG_DAYS_LATE("invoices.avg_days_late", "invoices",
            "mean days past due of invoices due in the window (unpaid by D: days from due to D; on time: 0)"),
    CSM_RENEWAL_INTENT("csm.renewal_intent", "csm_assessments",
            "latest assessment in the window: committed 100, neutral 50, apprehensive 0"),
    CSM_RELATIONSHIP_RATING("csm.relationship_rating", "csm_assessments",
            "latest assessment's relationship rating, 1-5"),
    CSM_ENGAGEMENT("csm.engagement", "csm_assessments",
            "latest assessment's engagement rating, 1-5"),
    CSM_REFERENCEABLE("csm.referenceable", "csm_assessments",
            "latest assessment: referenceable 100, not 0"),
    CSM_GROWTH_POTENTIAL("csm.growth_potential", "csm_assessments",
            "latest assessment's growth potential, 1-5"),
    SUBSCRIPTIONS_MRR_GROWTH_YOY("subscriptions.mrr_growth_yoy", "subscription_periods",
            "MRR on D / MRR on D - window - 1 (window = 365 for year over year); null when not a customer then"),
    SUBSCRIPTIONS_SEAT_GROWTH_YOY("subscriptions.seat_growth_yoy", "subscription_periods",
            "seats on D / seats on D - window - 1; null when no seats then");

    private final String id;
    private final String sourceTable;
    private final String definition;

    Feature(String id, String sourceTable, String definition) {
        this.id = id;
        this.sourceTable = sourceTable;
        this.definition = definition;
    }

    public String id() {
        return id;
    }

    public String sourceTable() {
        return sourceTable;
    }

    public String definition() {
        return definition;
    }

    public static Optional<Feature> byId(String id) {
        return Arrays.stream(values()).filter(f -> f.id.equals(id)).findFirst();
    }
}
