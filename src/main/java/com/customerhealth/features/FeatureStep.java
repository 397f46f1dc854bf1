package com.customerhealth.features;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.try_divide;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.contract.Feature;
import com.customerhealth.contract.FeatureRequest;
import com.customerhealth.validate.ValidatedWarehouse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Point-in-time features for many as-of dates in one pass.
 *
 * <p>Each source table is scanned once: every row is exploded onto the as-of dates D whose widest
 * requested window (D - w, D] holds its event date, then aggregated per (account, D) with one
 * conditional aggregate per requested window. A row dated after D never reaches D, and dates a row
 * carries beyond D (a ticket resolved or an invoice paid later) are treated as not yet happened.
 * The number of Spark jobs does not depend on the number of dates or accounts.
 *
 * <p>docs/health-model.md, "Feature catalog", defines every feature as computed here.
 */
public final class FeatureStep {
    /** The column {@link #onAsOfDates} adds: days from a row's event date to its as-of date. */
    public static final String AGE = "_age_days";
    private static final String[] KEY = {"account_id", "as_of_date"};

    private final List<String> highPriorities;

    /** @param highTicketPriorities the ticket priorities that count as high (validation.high-ticket-priorities) */
    public FeatureStep(List<String> highTicketPriorities) {
        this.highPriorities = List.copyOf(highTicketPriorities);
    }

    /**
     * Features of every row of {@code population} (account_id, as_of_date, mrr, seats, ...), one
     * column per request ({@link FeatureRequest#column()}); other population columns are kept.
     *
     * @param asOfDates the distinct as-of dates of the population (a bounded list: one per snapshot)
     */
    public Dataset<Row> compute(ValidatedWarehouse warehouse, Dataset<Row> population, List<LocalDate> asOfDates,
                                Collection<FeatureRequest> requests) {
        Map<String, List<FeatureRequest>> bySource = requests.stream()
                .collect(Collectors.groupingBy(r -> r.feature().sourceTable(), TreeMap::new, Collectors.toList()));
        Dataset<Row> accounts = warehouse.table("accounts").select("account_id", "onboarded_at");
        Dataset<Row> out = population.join(accounts, new String[] {"account_id"}, "left");
        List<Column> finals = new ArrayList<>();
        for (Map.Entry<String, List<FeatureRequest>> e : bySource.entrySet()) {
            List<FeatureRequest> reqs = e.getValue();
            SourceFeatures source = switch (e.getKey()) {
                case "usage_daily" -> usage(warehouse.table("usage_daily"), asOfDates, reqs);
                case "support_tickets" -> support(warehouse.table("support_tickets"), asOfDates, reqs);
                case "survey_responses" -> surveys(warehouse.table("survey_responses"), asOfDates, reqs);
                case "invoices" -> invoices(warehouse.table("invoices"), asOfDates, reqs);
                case "csm_assessments" -> csm(warehouse.table("csm_assessments"), asOfDates, reqs);
                case "subscription_periods" -> subscriptions(warehouse.table("subscription_periods"), asOfDates, reqs);
                default -> throw new IllegalArgumentException("No features from " + e.getKey());
            };
            out = out.join(source.aggregates(), KEY, "left");
            finals.addAll(source.finals());
        }
        List<Column> projection = new ArrayList<>();
        for (String c : population.columns()) {
            projection.add(col(c));
        }
        projection.addAll(finals);
        return out.select(projection.toArray(Column[]::new));
    }

    /** Per-source aggregates keyed by (account_id, as_of_date), and the final feature expressions over them. */
    private record SourceFeatures(Dataset<Row> aggregates, List<Column> finals) {
    }

    // ------------------------------------------------------------------ explode helper

    /**
     * Pairs each row with every as-of date D such that its {@code eventDate} is in (D - maxWindow, D],
     * adding {@code as_of_date} and {@code _age_days} = D - eventDate (0 .. maxWindow - 1).
     */
    public static Dataset<Row> onAsOfDates(Dataset<Row> rows, String eventDate, List<LocalDate> asOfDates, int maxWindowDays) {
        Column event = col(eventDate);
        Column dates = Snapshots.datesBetween(asOfDates, event, date_add(event, maxWindowDays - 1));
        return rows.withColumn("as_of_date", explode(dates))
                .withColumn(AGE, datediff(col("as_of_date"), event));
    }

    private static int maxWindow(List<FeatureRequest> reqs) {
        return reqs.stream().mapToInt(FeatureRequest::windowDays).max().orElseThrow();
    }

    private static Column inWindow(int windowDays) {
        return col(AGE).lt(windowDays);
    }

    private static String agg(FeatureRequest r, String what) {
        return "_" + r.column() + "__" + what;
    }

    /**
     * Days of the window the account could have been active: min(w, D - start + 1), start being the
     * earlier of onboarded_at and its first usage row in the window (usage during a trial counts over
     * the days it covers); the whole window when neither is known.
     */
    private static Column observedDays(FeatureRequest r) {
        Column start = least(col("onboarded_at"), col(agg(r, "first_day")));
        return coalesce(least(lit(r.windowDays()), greatest(datediff(col("as_of_date"), start).plus(1), lit(1))),
                lit(r.windowDays()));
    }

    private static Dataset<Row> aggregate(Dataset<Row> exploded, List<Column> aggs) {
        return exploded.groupBy("account_id", "as_of_date").agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new));
    }


    private static SourceFeatures build(Dataset<Row> exploded, List<FeatureRequest> reqs,
                                        Function<FeatureRequest, List<Column>> aggsOf,
                                        Function<FeatureRequest, Column> finalOf) {
        List<Column> aggs = new ArrayList<>();
        List<Column> finals = new ArrayList<>();
        for (FeatureRequest r : reqs) {
            aggs.addAll(aggsOf.apply(r));
            finals.add(finalOf.apply(r).cast("double").as(r.column()));
        }
        return new SourceFeatures(aggregate(exploded, aggs), finals);
    }

    // ------------------------------------------------------------------ usage_daily

    private SourceFeatures usage(Dataset<Row> usage, List<LocalDate> dates, List<FeatureRequest> reqs) {
        Dataset<Row> x = onAsOfDates(usage, "usage_date", dates, maxWindow(reqs));
        return build(x, reqs,
                r -> {
                    Column w = inWindow(r.windowDays());
                    return List.of(
                            sum(when(w, col("active_users"))).as(agg(r, "user_days")),
                            count(when(w.and(col("active_users").gt(0)), lit(1))).as(agg(r, "active_days")),
                            sum(when(w, col("sessions"))).as(agg(r, "sessions")),
                            sum(when(w, col("key_feature_events"))).as(agg(r, "kfe")),
                            sum(when(w.and(col("active_users").gt(0)), col("features_used"))).as(agg(r, "features")),
                            min(when(w, col("usage_date"))).as(agg(r, "first_day")));
                },
                r -> {
                    // No usage rows in the window means no activity: the features are 0, not missing.
                    // Per-seat features are missing when the account has no seats on D (a plan not sold by seat).
                    Column userDays = coalesce(col(agg(r, "user_days")), lit(0));
                    Column activeDays = coalesce(col(agg(r, "active_days")), lit(0));
                    Column seatDays = observedDays(r).cast("double").multiply(col("seats").cast("double"));
                    return switch (r.feature()) {
                        case USAGE_ACTIVE_USER_RATIO -> when(col("seats").gt(0), userDays.cast("double").divide(seatDays));
                        case USAGE_ACTIVE_DAYS_SHARE -> activeDays.cast("double").divide(observedDays(r));
                        case USAGE_SESSIONS_PER_ACTIVE_USER -> coalesce(try_divide(col(agg(r, "sessions")), userDays), lit(0.0));
                        case USAGE_KEY_FEATURE_EVENTS_PER_ACTIVE_USER -> coalesce(try_divide(col(agg(r, "kfe")), userDays), lit(0.0));
                        case USAGE_FEATURES_USED -> coalesce(try_divide(col(agg(r, "features")), activeDays), lit(0.0));
                        default -> throw new IllegalArgumentException(r.feature().id());
                    };
                });
    }

    // ------------------------------------------------------------------ support_tickets

    private SourceFeatures support(Dataset<Row> tickets, List<LocalDate> dates, List<FeatureRequest> reqs) {
        Dataset<Row> x = onAsOfDates(tickets, "opened_at", dates, maxWindow(reqs));
        Column resolvedByD = col("resolved_at").isNotNull().and(col("resolved_at").leq(col("as_of_date")));
        return build(x, reqs,
                r -> {
                    Column w = inWindow(r.windowDays());
                    return List.of(
                            count(when(w, lit(1))).as(agg(r, "tickets")),
                            count(when(w.and(col("priority").isin(highPriorities.toArray())), lit(1))).as(agg(r, "high")),
                            count(when(w.and(resolvedByD), lit(1))).as(agg(r, "resolved")),
                            count(when(w.and(resolvedByD).and(col("contacts_to_resolve").equalTo(1)), lit(1))).as(agg(r, "fcr")));
                },
                r -> switch (r.feature()) {
                    // No tickets in the window is a real zero.
                    case SUPPORT_TICKETS_PER_10_SEATS -> when(col("seats").gt(0),
                            coalesce(col(agg(r, "tickets")), lit(0)).cast("double").multiply(10).divide(col("seats")));
                    case SUPPORT_HIGH_PRIORITY_TICKETS -> coalesce(col(agg(r, "high")), lit(0));
                    case SUPPORT_FIRST_CONTACT_RESOLUTION_RATE -> try_divide(col(agg(r, "fcr")), col(agg(r, "resolved")));
                    default -> throw new IllegalArgumentException(r.feature().id());
                });
    }

    // ------------------------------------------------------------------ survey_responses

    private SourceFeatures surveys(Dataset<Row> responses, List<LocalDate> dates, List<FeatureRequest> reqs) {
        Dataset<Row> x = onAsOfDates(responses, "responded_at", dates, maxWindow(reqs));
        Column nps = col("survey_type").equalTo("NPS");
        Column csat = col("survey_type").equalTo("CSAT");
        Column ces = col("survey_type").equalTo("CES");
        return build(x, reqs,
                r -> {
                    Column w = inWindow(r.windowDays());
                    return List.of(
                            count(when(w.and(nps), lit(1))).as(agg(r, "nps_n")),
                            count(when(w.and(nps).and(col("score").geq(9)), lit(1))).as(agg(r, "promoters")),
                            count(when(w.and(nps).and(col("score").leq(6)), lit(1))).as(agg(r, "detractors")),
                            count(when(w.and(csat), lit(1))).as(agg(r, "csat_n")),
                            count(when(w.and(csat).and(col("score").geq(4)), lit(1))).as(agg(r, "csat_pos")),
                            avg(when(w.and(ces), col("score"))).as(agg(r, "ces_mean")));
                },
                r -> switch (r.feature()) {
                    // Never surveyed in the window: missing, not zero.
                    case SURVEYS_NPS -> try_divide(col(agg(r, "promoters")).minus(col(agg(r, "detractors"))).multiply(100.0),
                            when(col(agg(r, "nps_n")).gt(0), col(agg(r, "nps_n"))));
                    case SURVEYS_CSAT_POSITIVE_SHARE -> try_divide(col(agg(r, "csat_pos")).cast("double"),
                            when(col(agg(r, "csat_n")).gt(0), col(agg(r, "csat_n"))));
                    case SURVEYS_CES_MEAN -> col(agg(r, "ces_mean"));
                    default -> throw new IllegalArgumentException(r.feature().id());
                });
    }

    // ------------------------------------------------------------------ invoices

    private SourceFeatures invoices(Dataset<Row> invoices, List<LocalDate> dates, List<FeatureRequest> reqs) {
        // Windowed on the due date: an invoice counts once it has come due (issued_at <= due_at holds by rule).
        Dataset<Row> x = onAsOfDates(invoices, "due_at", dates, maxWindow(reqs));
        Column paidByD = col("paid_at").isNotNull().and(col("paid_at").leq(col("as_of_date")));
        Column onTime = paidByD.and(col("paid_at").leq(col("due_at")));
        Column settled = when(paidByD, col("paid_at")).otherwise(col("as_of_date"));
        Column daysLate = greatest(datediff(settled, col("due_at")), lit(0));
        return build(x, reqs,
                r -> {
                    Column w = inWindow(r.windowDays());
                    return List.of(
                            count(when(w, lit(1))).as(agg(r, "due")),
                            count(when(w.and(onTime), lit(1))).as(agg(r, "on_time")),
                            avg(when(w, daysLate)).as(agg(r, "days_late")));
                },
                r -> switch (r.feature()) {
                    case INVOICES_ON_TIME_PAYMENT_RATE -> try_divide(col(agg(r, "on_time")).cast("double"),
                            when(col(agg(r, "due")).gt(0), col(agg(r, "due"))));
                    case INVOICES_AVG_DAYS_LATE -> col(agg(r, "days_late"));
                    default -> throw new IllegalArgumentException(r.feature().id());
                });
    }

    // ------------------------------------------------------------------ csm_assessments

    private SourceFeatures csm(Dataset<Row> assessments, List<LocalDate> dates, List<FeatureRequest> reqs) {
        Dataset<Row> x = onAsOfDates(assessments, "assessed_at", dates, maxWindow(reqs));
        return build(x, reqs,
                // The latest assessment inside the window (max_by skips rows whose ordering is null; assessed_at is part of
                // the key, so there are no ties). One max_by per field, each a double: the aggregation keeps fixed-size
                // buffers and runs hash-based, where one max_by of a struct of the fields made Spark sort every row.
                r -> List.of(max_by(latestField(r.feature()), when(inWindow(r.windowDays()), col("assessed_at"))).as(agg(r, "latest"))),
                r -> col(agg(r, "latest")));
    }

    /** A csm_assessments feature's value in one assessment. */
    private static Column latestField(Feature feature) {
        return switch (feature) {
            case CSM_RENEWAL_INTENT -> when(col("renewal_intent").equalTo("committed"), lit(100.0))
                    .when(col("renewal_intent").equalTo("neutral"), lit(50.0))
                    .otherwise(lit(0.0));
            case CSM_RELATIONSHIP_RATING -> col("relationship_rating").cast("double");
            case CSM_ENGAGEMENT -> col("engagement").cast("double");
            case CSM_REFERENCEABLE -> when(col("referenceable"), lit(100.0)).otherwise(lit(0.0));
            case CSM_GROWTH_POTENTIAL -> col("growth_potential").cast("double");
            default -> throw new IllegalArgumentException(feature.id());
        };
    }

    // ------------------------------------------------------------------ subscription_periods

    private SourceFeatures subscriptions(Dataset<Row> periods, List<LocalDate> dates, List<FeatureRequest> reqs) {
        // The window is the comparison lag: MRR (seats) on D against D - window. One pass per distinct lag.
        List<Integer> lags = reqs.stream().map(FeatureRequest::windowDays).distinct().sorted().toList();
        Dataset<Row> joined = null;
        for (int lag : lags) {
            Dataset<Row> then = Snapshots.mrrOn(periods, dates, lag)
                    .select(col("account_id"), col("as_of_date"), col("mrr").as("_mrr_" + lag), col("seats").as("_seats_" + lag));
            joined = joined == null ? then : joined.join(then, KEY, "full_outer");
        }
        List<Column> finals = new ArrayList<>();
        for (FeatureRequest r : reqs) {
            int lag = r.windowDays();
            Column f = switch (r.feature()) {
                case SUBSCRIPTIONS_MRR_GROWTH_YOY -> try_divide(col("mrr"), when(col("_mrr_" + lag).gt(0), col("_mrr_" + lag))).minus(1);
                case SUBSCRIPTIONS_SEAT_GROWTH_YOY -> try_divide(col("seats"), when(col("_seats_" + lag).gt(0), col("_seats_" + lag))).minus(1);
                default -> throw new IllegalArgumentException(r.feature().id());
            };
            finals.add(f.cast("double").as(r.column()));
        }
        return new SourceFeatures(joined, finals);
    }
}
