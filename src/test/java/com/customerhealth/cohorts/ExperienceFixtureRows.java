package com.customerhealth.cohorts;

import static com.customerhealth.FixtureWarehouse.d;

import com.customerhealth.FixtureWarehouse;

/**
 * FixtureWarehouse rows with the columns its builders fix: an account's industry and first_value_at, a
 * ticket's csat, an assessment's referenceable flag. Written through {@link FixtureWarehouse#raw}.
 */
final class ExperienceFixtureRows {
    private final FixtureWarehouse warehouse;
    private int ticketSeq;

    ExperienceFixtureRows(FixtureWarehouse warehouse) {
        this.warehouse = warehouse;
    }

    FixtureWarehouse warehouse() {
        return warehouse;
    }

    /** An account; {@code firstValue} may be null (value not reached). */
    ExperienceFixtureRows account(String id, String industry, int employees, String onboarded, String firstValue) {
        warehouse.raw("accounts", id, "Account " + id, industry, employees, d(onboarded), firstValue == null ? null : d(firstValue), null);
        return this;
    }

    /** A low-priority ticket; {@code resolved} and {@code csat} may be null. */
    ExperienceFixtureRows ticket(String id, String opened, String resolved, int contacts, Integer csat) {
        warehouse.raw("support_tickets", "XT" + (++ticketSeq), id, d(opened), resolved == null ? null : d(resolved), "low", contacts, csat);
        return this;
    }

    /** A neutral CSM assessment (ratings 3) with the given referenceable flag. */
    ExperienceFixtureRows assessment(String id, String assessed, boolean referenceable) {
        warehouse.raw("csm_assessments", id, d(assessed), 3, "neutral", 3, referenceable, 3);
        return this;
    }

    /** An NPS, CSAT or CES response. */
    ExperienceFixtureRows survey(String id, String responded, String type, double score) {
        warehouse.survey(id, responded, type, score);
        return this;
    }
}
