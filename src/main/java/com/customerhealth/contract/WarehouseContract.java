package com.customerhealth.contract;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The warehouse input contract: the tables every job reads, documented in docs/input-contract.md (its tables generated from this class). */
public final class WarehouseContract {
    public static final DataType MONEY = DataTypes.createDecimalType(18, 2);

    public static final TableSpec ACCOUNTS = new TableSpec("accounts", List.of(
            req("account_id", StringType, "Account identifier; the key every other table refers to."),
            req("account_name", StringType, "Display name."),
            req("industry", StringType, "Industry label, used for cohorts."),
            req("employee_count", IntegerType, "Company head count; mapped to a size band by segments.size-bands."),
            req("onboarded_at", DateType, "Date the account was onboarded (contract signed)."),
            opt("first_value_at", DateType, "Date the account first reached value (time-to-first-value milestone)."),
            opt("csm_owner", StringType, "Customer-success manager who owns the account."),
            opt("parent_account_id", StringType, "The account's parent in a group of companies (a subsidiary's parent); null for a "
                    + "top-level account. account_health_rollup rolls each parent's group up; a link to an unknown account or in a "
                    + "cycle is quarantined (docs/acting-on-the-score.md).")),
            List.of("account_id"), Optional.of("onboarded_at"), false,
            "One row per customer account.");

    public static final TableSpec SUBSCRIPTION_PERIODS = new TableSpec("subscription_periods", List.of(
            req("account_id", StringType, "Account."),
            req("start_date", DateType, "First day the period is in force."),
            opt("end_date", DateType, "Last day the period is in force (inclusive); null while open."),
            req("mrr", MONEY, "Monthly recurring revenue of the period."),
            req("seats", IntegerType, "Licensed seats in the period.")),
            List.of("account_id", "start_date"), Optional.of("start_date"), false,
            "Contract periods: several per account (renewals, upgrades, downgrades). An account is a "
                    + "customer on a date when a period with MRR > 0 covers it.");

    public static final TableSpec CHURN_EVENTS = new TableSpec("churn_events", List.of(
            req("account_id", StringType, "Account."),
            req("churned_at", DateType, "Date the account churned."),
            req("churn_type", StringType, "voluntary or involuntary (failed payment)."),
            opt("reason", StringType, "Free-text reason.")),
            List.of("account_id", "churned_at"), Optional.of("churned_at"), true,
            "Optional. When absent, churn is derived from subscription periods lapsing.");

    public static final TableSpec USAGE_DAILY = new TableSpec("usage_daily", List.of(
            req("account_id", StringType, "Account."),
            req("usage_date", DateType, "Day of activity."),
            req("active_users", IntegerType, "Distinct users active that day."),
            req("sessions", LongType, "Sessions (logins) that day."),
            req("key_feature_events", LongType, "Uses of the product's key features that day."),
            req("features_used", IntegerType, "Distinct product features used that day.")),
            List.of("account_id", "usage_date"), Optional.of("usage_date"), false,
            "Product telemetry, one row per account and day with activity (a missing day means no activity).");

    public static final TableSpec SUPPORT_TICKETS = new TableSpec("support_tickets", List.of(
            req("ticket_id", StringType, "Ticket identifier."),
            req("account_id", StringType, "Account."),
            req("opened_at", DateType, "Date opened."),
            opt("resolved_at", DateType, "Date resolved; null while open."),
            req("priority", StringType, "One of validation.ticket-priorities (default low, medium, high, urgent)."),
            req("contacts_to_resolve", IntegerType, "Interactions needed so far (1 = first-contact resolution)."),
            opt("csat", IntegerType, "Ticket satisfaction 1-5, when the customer answered.")),
            List.of("ticket_id"), Optional.of("opened_at"), false,
            "Support tickets.");

    public static final TableSpec SURVEY_RESPONSES = new TableSpec("survey_responses", List.of(
            req("response_id", StringType, "Response identifier."),
            req("account_id", StringType, "Account."),
            req("responded_at", DateType, "Date answered."),
            req("survey_type", StringType, "NPS, CSAT or CES."),
            req("score", DoubleType, "Answer on the survey's scale (validation.survey-scales: NPS 0-10, CSAT 1-5, CES 1-7).")),
            List.of("response_id"), Optional.of("responded_at"), false,
            "Survey answers.");

    public static final TableSpec INVOICES = new TableSpec("invoices", List.of(
            req("invoice_id", StringType, "Invoice identifier."),
            req("account_id", StringType, "Account."),
            req("issued_at", DateType, "Date issued."),
            req("due_at", DateType, "Payment due date."),
            opt("paid_at", DateType, "Date paid; null while unpaid."),
            req("amount", MONEY, "Invoice amount.")),
            List.of("invoice_id"), Optional.of("issued_at"), false,
            "Invoices and their payment.");

    public static final TableSpec CSM_ASSESSMENTS = new TableSpec("csm_assessments", List.of(
            req("account_id", StringType, "Account."),
            req("assessed_at", DateType, "Date of the assessment."),
            req("relationship_rating", IntegerType, "CSM's subjective rating of the relationship, 1-5."),
            req("renewal_intent", StringType, "committed, neutral or apprehensive: the customer's stated long-term commitment."),
            req("engagement", IntegerType, "Participation in CSM meetings and business reviews, 1-5."),
            req("referenceable", BooleanType, "Would act as a reference (case study, review, reference call)."),
            req("growth_potential", IntegerType, "CSM's view of expansion potential, 1-5.")),
            List.of("account_id", "assessed_at"), Optional.of("assessed_at"), false,
            "CSM assessments, periodic.");

    public static final TableSpec CSM_SCORE_OVERRIDES = new TableSpec("csm_score_overrides", List.of(
            req("account_id", StringType, "Account whose score the CSM overrides."),
            req("valid_from", DateType, "First score date the override applies to."),
            opt("valid_until", DateType, "Last score date it applies to (inclusive); null: until withdrawn. After it the computed score "
                    + "applies again by itself."),
            opt("override_tier", StringType, "The tier the CSM sets: healthy, needs_attention, at_risk or critical (the score stays "
                    + "the computed one). Give this or override_score, not both."),
            opt("override_score", DoubleType, "The score the CSM sets, 0-100 (its tier follows from the tiers in conf)."),
            opt("reason", StringType, "Why, in words: required (a row without one is quarantined, rule missing_reason)."),
            req("author", StringType, "Who set it.")),
            List.of("account_id", "valid_from"), Optional.empty(), true,
            "Optional. A CSM's override of an account's score or tier for a period, with its reason and author: the scored "
                    + "tables keep the computed score and add the final one (docs/acting-on-the-score.md).");

    public static final List<TableSpec> TABLES = List.of(ACCOUNTS, SUBSCRIPTION_PERIODS, CHURN_EVENTS, USAGE_DAILY,
            SUPPORT_TICKETS, SURVEY_RESPONSES, INVOICES, CSM_ASSESSMENTS, CSM_SCORE_OVERRIDES);

    private WarehouseContract() {
    }

    public static TableSpec table(String name) {
        return TABLES.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No contract table " + name));
    }

    /** The contract schema of a table, as the validated Dataset carries it. */
    public static StructType schema(TableSpec table) {
        return new StructType(table.columns().stream()
                .map(c -> new StructField(c.name(), c.type(), c.nullable(), org.apache.spark.sql.types.Metadata.empty()))
                .toArray(StructField[]::new));
    }

    private static ColumnSpec req(String name, DataType type, String meaning) {
        return new ColumnSpec(name, type, false, meaning);
    }

    private static ColumnSpec opt(String name, DataType type, String meaning) {
        return new ColumnSpec(name, type, true, meaning);
    }
}
