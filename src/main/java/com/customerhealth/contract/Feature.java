package com.customerhealth.contract;

import java.util.Arrays;
import java.util.Optional;

/**
 * The feature catalog: every source feature a health-model metric can name. A feature is
 * computed per account and as-of date D from rows whose event date lies in (D - window, D].
 * docs/health-model.md, "Feature catalog", documents each one exactly as computed (generated from this enum).
 */
public enum Feature {
    USAGE_ACTIVE_USER_RATIO("usage.active_user_ratio", "usage_daily",
            "sum of active_users over the window / (observed days x seats on D); observed days = min(w, D - start + 1), start = the earlier of onboarded_at and the first usage row in the window; no rows: 0; no seats: missing"),
    USAGE_ACTIVE_DAYS_SHARE("usage.active_days_share", "usage_daily",
            "days with active_users > 0 / observed days; no rows: 0"),
    USAGE_SESSIONS_PER_ACTIVE_USER("usage.sessions_per_active_user", "usage_daily",
            "sum of sessions / sum of active_users over the window; no activity: 0"),
    USAGE_KEY_FEATURE_EVENTS_PER_ACTIVE_USER("usage.key_feature_events_per_active_user", "usage_daily",
            "sum of key_feature_events / sum of active_users over the window; no activity: 0"),
    USAGE_FEATURES_USED("usage.features_used", "usage_daily",
            "mean features_used over days with active users (breadth of adoption); no activity: 0"),
    SUPPORT_TICKETS_PER_10_SEATS("support.tickets_per_10_seats", "support_tickets",
            "tickets opened in the window x 10 / seats on D; no tickets: 0; no seats: missing"),
    SUPPORT_HIGH_PRIORITY_TICKETS("support.high_priority_tickets", "support_tickets",
            "tickets opened in the window whose priority is in validation.high-ticket-priorities; no tickets: 0"),
    SUPPORT_FIRST_CONTACT_RESOLUTION_RATE("support.first_contact_resolution_rate", "support_tickets",
            "tickets opened in the window and resolved by D with contacts_to_resolve = 1 / those resolved by D; none resolved: missing. Uses contacts_to_resolve and resolved_at as the warehouse holds them now: a ticket reopened after D can change D's value"),
    SURVEYS_NPS("surveys.nps", "survey_responses",
            "NPS answers in the window: 100 x (promoters (9-10) - detractors (0-6)) / answers, -100..100; no answer: missing"),
    SURVEYS_CSAT_POSITIVE_SHARE("surveys.csat_positive_share", "survey_responses",
            "CSAT answers in the window scoring 4 or 5 / CSAT answers; no answer: missing"),
    SURVEYS_CES_MEAN("surveys.ces_mean", "survey_responses",
            "mean CES answer in the window; no answer: missing"),
    INVOICES_ON_TIME_PAYMENT_RATE("invoices.on_time_payment_rate", "invoices",
            "invoices due in the window and paid on or before due_at (and by D) / invoices due in the window; none due: missing"),
    INVOICES_AVG_DAYS_LATE("invoices.avg_days_late", "invoices",
            "mean over invoices due in the window of max(0, min(paid_at, D) - due_at) days, unpaid by D counting to D; none due: missing"),
    CSM_RENEWAL_INTENT("csm.renewal_intent", "csm_assessments",
            "latest assessment in the window: committed 100, neutral 50, apprehensive 0; none: missing"),
    CSM_RELATIONSHIP_RATING("csm.relationship_rating", "csm_assessments",
            "latest assessment in the window: relationship_rating 1-5; none: missing"),
    CSM_ENGAGEMENT("csm.engagement", "csm_assessments",
            "latest assessment in the window: engagement 1-5; none: missing"),
    CSM_REFERENCEABLE("csm.referenceable", "csm_assessments",
            "latest assessment in the window: referenceable 100, not 0; none: missing"),
    CSM_GROWTH_POTENTIAL("csm.growth_potential", "csm_assessments",
            "latest assessment in the window: growth_potential 1-5; none: missing"),
    SUBSCRIPTIONS_MRR_GROWTH_YOY("subscriptions.mrr_growth_yoy", "subscription_periods",
            "MRR on D / MRR on (D - w) - 1, w the lag (365 for year over year); no MRR on D - w: missing"),
    SUBSCRIPTIONS_SEAT_GROWTH_YOY("subscriptions.seat_growth_yoy", "subscription_periods",
            "seats on D / seats on (D - w) - 1; no seats on D - w: missing");

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
