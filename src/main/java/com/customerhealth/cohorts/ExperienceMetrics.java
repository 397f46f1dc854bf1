package com.customerhealth.cohorts;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.grouping;
import static org.apache.spark.sql.functions.last_day;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.percentile;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;

import com.customerhealth.features.Snapshots;
import com.customerhealth.io.OutputTables;
import com.customerhealth.stats.Ratios;
import java.sql.Date;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Customer-experience metrics per month, per account and rolled up by industry, size band, onboarding
 * cohort and overall: NPS, CSAT, CES, first-contact resolution, resolution time, ticket CSAT, time to
 * first value and the share of referenceable accounts. Pure Dataset transformations; every column is
 * defined exactly as computed in {@link OutputTables#EXPERIENCE_METRICS_MONTHLY}'s comments.
 *
 * <p>No loop over months or accounts: each event row gets its month from {@code last_day()} of its date,
 * the rows of all sources are stacked into one table of facts, and one grouping-sets aggregation computes
 * every roll-up of every month. The CES distribution needs the answer as a grouping key, so it is a second
 * grouping-sets aggregation over the CES responses alone, joined on the row key; the medians a third, over the facts
 * they read.
 */
public final class ExperienceMetrics {
    /** Days an assessment stays current: it counts at a month end less than this many days after it. */
    public static final int ASSESSMENT_VALID_DAYS = 365;

    private static final String[] KEYS = {"month_end", "grouping", "account_id", "industry", "size_band", "onboarding_cohort"};
    private static final String[] GROUP_BY = {"month_end", "account_id", "industry", "size_band", "onboarding_cohort"};
    private static final DataType CES_DISTRIBUTION = DataTypes.createMapType(IntegerType, LongType, false);

    /** The observations behind each figure: small_group checks these. */
    private static final List<String> BASES = List.of("nps_responses", "csat_responses", "ces_responses", "tickets_resolved",
            "ticket_csat_responses", "accounts_reached_value", "accounts_assessed");

    private ExperienceMetrics() {
    }

    /**
     * experience_metrics_monthly without run_id: one row per month_end, grouping and segment values.
     *
     * @param accounts       validated accounts (account_id, onboarded_at, first_value_at)
     * @param surveys        validated survey_responses
     * @param tickets        validated support_tickets
     * @param csmAssessments validated csm_assessments
     * @param segments       account_id, industry, size_band, onboarding_cohort ({@link CohortMetrics#segments}); accounts
     *                       without a segments row (their accounts row was quarantined) are left out
     * @param monthEnds      consecutive month ends, oldest first ({@link MrrMovements#monthEnds}), not empty
     * @param asOfMonth      the as_of_month partition value (the last complete month end)
     * @param minGroupSize   observations below which a figure flags its row small_group
     */
    public static Dataset<Row> monthly(Dataset<Row> accounts, Dataset<Row> surveys, Dataset<Row> tickets, Dataset<Row> csmAssessments,
                                       Dataset<Row> segments, List<LocalDate> monthEnds, LocalDate asOfMonth, int minGroupSize) {
        requireConsecutive(monthEnds);
        Dataset<Row> facts = surveyFacts(surveys, monthEnds)
                .unionByName(ticketFacts(tickets, monthEnds), true)
                .unionByName(valueFacts(accounts, monthEnds), true)
                .unionByName(assessmentFacts(csmAssessments, monthEnds), true)
                .join(segments.select("account_id", "industry", "size_band", "onboarding_cohort"), "account_id");
        List<Column> aggregates = new ArrayList<>(aggregates());
        aggregates.add(count_if(col("_marker").isNull()).as("_facts"));
        // The markers give every month an overall row; alone in a group of any other grouping, they are dropped.
        Dataset<Row> rows = rollUp(facts.unionByName(monthMarkers(facts.sparkSession(), monthEnds), true), List.of(), aggregates)
                .where(col("grouping").equalTo("overall").or(col("_facts").gt(0)))
                .drop("_facts");
        return withRatios(joinOnKeys(joinOnKeys(rows, medians(facts), col("d.median_resolution_days"), col("d.median_ttfv_days")),
                        cesDistribution(facts), coalesce(col("d.ces_distribution"), map().cast(CES_DISTRIBUTION)).as("ces_distribution")),
                minGroupSize)
                .withColumn("as_of_month", lit(Date.valueOf(asOfMonth)));
    }

    /** Survey responses of the months: survey_type and score. */
    private static Dataset<Row> surveyFacts(Dataset<Row> surveys, List<LocalDate> monthEnds) {
        return inMonths(surveys, "responded_at", monthEnds)
                .select(col("account_id"), last_day(col("responded_at")).as("month_end"), col("survey_type"), col("score"));
    }

    /** Tickets resolved in the months: days to resolve, first-contact flag and ticket csat. */
    private static Dataset<Row> ticketFacts(Dataset<Row> tickets, List<LocalDate> monthEnds) {
        return inMonths(tickets, "resolved_at", monthEnds)
                .select(col("account_id"), last_day(col("resolved_at")).as("month_end"),
                        datediff(col("resolved_at"), col("opened_at")).as("resolution_days"),
                        col("contacts_to_resolve").equalTo(1).as("first_contact"),
                        col("csat").as("ticket_csat"));
    }

    /** Accounts that first reached value in the months: days from onboarding. */
    private static Dataset<Row> valueFacts(Dataset<Row> accounts, List<LocalDate> monthEnds) {
        return inMonths(accounts, "first_value_at", monthEnds)
                .select(col("account_id"), last_day(col("first_value_at")).as("month_end"),
                        datediff(col("first_value_at"), col("onboarded_at")).as("ttfv_days"));
    }

    /**
     * One row per account and month end at which it has a current assessment, with that assessment's
     * referenceable flag. The latest assessment of each account and month holds from that month until the
     * month of the account's next assessment, for month ends less than 365 days after it: at most 13 rows
     * per assessment, over a table that is small next to the event tables.
     */
    private static Dataset<Row> assessmentFacts(Dataset<Row> assessments, List<LocalDate> monthEnds) {
        LocalDate last = monthEnds.get(monthEnds.size() - 1);
        Column next = lead(col("_from"), 1).over(Window.partitionBy("account_id").orderBy("_from"));
        // Month ends m with _from <= m < _until (when there is a next one) and m < assessed + valid days.
        Column current = explode(Snapshots.datesBetween(monthEnds, col("_from"),
                least(date_sub(col("_until"), 1), date_add(col("_assessed_at"), ASSESSMENT_VALID_DAYS - 1))));
        return assessments.where(col("assessed_at").leq(lit(Date.valueOf(last))))
                .groupBy(col("account_id"), last_day(col("assessed_at")).as("_from"))
                .agg(max("assessed_at").as("_assessed_at"), max_by(col("referenceable"), col("assessed_at")).as("referenceable"))
                .withColumn("_until", next)
                .select(col("account_id"), current.as("month_end"), col("referenceable"));
    }

    /** Rows whose {@code dateColumn} falls in one of the months (null dates never do). */
    private static Dataset<Row> inMonths(Dataset<Row> rows, String dateColumn, List<LocalDate> monthEnds) {
        LocalDate first = monthEnds.get(0).withDayOfMonth(1);
        LocalDate last = monthEnds.get(monthEnds.size() - 1);
        return rows.where(col(dateColumn).between(lit(Date.valueOf(first)), lit(Date.valueOf(last))));
    }

    /**
     * Every count and mean over the facts; ratios come after, from the counts, and the medians from {@link #medians}. Only
     * fixed-size aggregates: one exact percentile among them turned the whole aggregation into the sort-based kind (Spark
     * falls back to sorting every row once a task holds more than 128 groups), 45 s of tasks at 100,000 accounts.
     */
    private static List<Column> aggregates() {
        Column nps = when(col("survey_type").equalTo("NPS"), col("score"));
        Column csat = when(col("survey_type").equalTo("CSAT"), col("score"));
        Column ces = when(col("survey_type").equalTo("CES"), col("score"));
        return List.of(
                count(nps).as("nps_responses"), count_if(nps.geq(9)).as("nps_promoters"), count_if(nps.leq(6)).as("nps_detractors"),
                count(csat).as("csat_responses"), count_if(csat.geq(4)).as("csat_positive"),
                count(ces).as("ces_responses"), round(avg(ces), 4).as("ces_mean"),
                count(col("resolution_days")).as("tickets_resolved"), count_if(col("first_contact")).as("first_contact_resolved"),
                count(col("ticket_csat")).as("ticket_csat_responses"), count_if(col("ticket_csat").geq(4)).as("ticket_csat_positive"),
                count(col("ttfv_days")).as("accounts_reached_value"), avg(col("ttfv_days")).as("mean_ttfv_days"),
                count(col("referenceable")).as("accounts_assessed"), count_if(col("referenceable")).as("accounts_referenceable"));
    }

    /**
     * The exact medians (percentile 0.5) of resolution days and time to first value, per row key: the same roll-up over the
     * facts that carry either (resolved tickets, accounts reaching value), so the sort that an exact percentile needs
     * covers those rows alone. A key without such facts has no row here; its medians are null, as before.
     */
    private static Dataset<Row> medians(Dataset<Row> facts) {
        Column median = lit(0.5);
        return rollUp(facts.where(col("resolution_days").isNotNull().or(col("ttfv_days").isNotNull())), List.of(),
                List.of(percentile(col("resolution_days"), median).as("median_resolution_days"),
                        percentile(col("ttfv_days"), median).as("median_ttfv_days")));
    }

    /**
     * The aggregates per month for each grouping: account (with its segments), industry, size band, cohort
     * and overall, plus the {@code extra} grouping columns in every set; labelled in a grouping column.
     */
    private static Dataset<Row> rollUp(Dataset<Row> facts, List<String> extra, List<Column> aggs) {
        String[][] sets = {GROUP_BY, {"month_end", "industry"}, {"month_end", "size_band"}, {"month_end", "onboarding_cohort"}, {"month_end"}};
        List<scala.collection.immutable.Seq<Column>> groupingSets = new ArrayList<>();
        for (String[] set : sets) {
            groupingSets.add(CollectionConverters.asScala(plus(set, extra)).toList());
        }
        List<Column> all = new ArrayList<>(aggs);
        for (String c : List.of("account_id", "industry", "size_band", "onboarding_cohort")) {
            all.add(grouping(c).as("_g_" + c));
        }
        return facts.groupingSets(CollectionConverters.asScala(groupingSets).toList(), plus(GROUP_BY, extra).toArray(Column[]::new))
                .agg(all.get(0), all.subList(1, all.size()).toArray(Column[]::new))
                .withColumn("grouping", when(col("_g_account_id").equalTo(0), lit("account"))
                        .when(col("_g_industry").equalTo(0), lit("industry"))
                        .when(col("_g_size_band").equalTo(0), lit("size_band"))
                        .when(col("_g_onboarding_cohort").equalTo(0), lit("cohort"))
                        .otherwise(lit("overall")))
                .drop("_g_account_id", "_g_industry", "_g_size_band", "_g_onboarding_cohort");
    }

    /** One fact without data per month end, so that every month has an overall row, data or not. */
    private static Dataset<Row> monthMarkers(SparkSession spark, List<LocalDate> monthEnds) {
        return spark.range(1).select(explode(Snapshots.dateArray(monthEnds)).as("month_end"), lit(true).as("_marker"));
    }

    /** CES answer -> responses, per row key. */
    private static Dataset<Row> cesDistribution(Dataset<Row> facts) {
        Dataset<Row> ces = facts.where(col("survey_type").equalTo("CES")).withColumn("_answer", round(col("score")).cast(IntegerType));
        return rollUp(ces, List.of("_answer"), List.of(count(lit(1)).as("_responses")))
                .groupBy(columns(KEYS))
                .agg(map_from_entries(array_sort(collect_list(struct(col("_answer"), col("_responses"))))).as("ces_distribution"));
    }

    /** Rows with {@code columns} of {@code other}'s row of the same key ("d.", null-safe on the rolled-up nulls), if any. */
    private static Dataset<Row> joinOnKeys(Dataset<Row> rows, Dataset<Row> other, Column... columns) {
        Column on = lit(true);
        for (String k : KEYS) {
            on = on.and(col("r." + k).eqNullSafe(col("d." + k)));
        }
        List<Column> selected = new ArrayList<>(List.of(col("r.*")));
        selected.addAll(Arrays.asList(columns));
        return rows.as("r").join(other.as("d"), on, "left").select(selected.toArray(Column[]::new));
    }

    private static Dataset<Row> withRatios(Dataset<Row> rows, int minGroupSize) {
        Column small = lit(false);
        for (String basis : BASES) {
            small = small.or(col(basis).gt(0).and(col(basis).lt(minGroupSize)));
        }
        return rows
                .withColumn("nps", Ratios.ratio(col("nps_promoters").minus(col("nps_detractors")).multiply(100), col("nps_responses")))
                .withColumn("csat", Ratios.ratio(col("csat_positive"), col("csat_responses")))
                .withColumn("fcr_rate", Ratios.ratio(col("first_contact_resolved"), col("tickets_resolved")))
                .withColumn("ticket_csat", Ratios.ratio(col("ticket_csat_positive"), col("ticket_csat_responses")))
                .withColumn("referenceable_share", Ratios.ratio(col("accounts_referenceable"), col("accounts_assessed")))
                .withColumn("small_group", small);
    }


    private static Column[] columns(String... names) {
        return Arrays.stream(names).map(c -> col(c)).toArray(Column[]::new);
    }

    private static List<Column> plus(String[] names, List<String> extra) {
        List<Column> all = new ArrayList<>(Arrays.asList(columns(names)));
        extra.forEach(c -> all.add(col(c)));
        return all;
    }

    private static void requireConsecutive(List<LocalDate> monthEnds) {
        if (monthEnds.isEmpty()) {
            throw new IllegalArgumentException("No month ends");
        }
        for (int i = 0; i < monthEnds.size(); i++) {
            LocalDate expected = YearMonth.from(monthEnds.get(0)).plusMonths(i).atEndOfMonth();
            if (!monthEnds.get(i).equals(expected)) {
                throw new IllegalArgumentException("Month ends must be consecutive month ends, oldest first: " + monthEnds);
            }
        }
    }
}
