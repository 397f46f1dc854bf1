package com.customerhealth.generate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.cos;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.dayofweek;
import static org.apache.spark.sql.functions.dayofyear;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sin;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.when;

import com.customerhealth.contract.TableSpec;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.spark.HashDraws;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Writes a synthetic warehouse that follows the input contract, with churn drawn from
 * {@link PlantedModel}. Every random draw is a hash of (seed, purpose, row keys), so the data does
 * not depend on partitioning or executor count: the same seed gives the same rows in the same files
 * in the same order (CSV output is byte-identical; a Parquet footer may list a column's encodings in
 * another order from one JVM to the next, a parquet-mr detail). Built from Spark columns only, so it
 * scales to millions of accounts.
 */
public final class WarehouseGenerator {
    private static final String[] INDUSTRIES = {"retail", "manufacturing", "software", "healthcare",
            "financial_services", "education", "media", "logistics"};
    /** Industry offsets added to the latent components (relationship, usage, value). */
    private static final double[][] INDUSTRY_OFFSETS = {
            {0.0, 0.1, 0.0}, {0.1, -0.2, 0.1}, {0.0, 0.3, 0.1}, {0.2, -0.1, 0.0},
            {0.1, 0.0, 0.2}, {-0.2, -0.1, -0.3}, {-0.1, 0.1, -0.2}, {0.0, -0.2, 0.0}};
    private static final String[] ADJECTIVES = {"Blue", "Northern", "Bright", "Summit", "Harbor", "Silver", "Granite",
            "Quantum", "Evergreen", "Red", "Atlas", "Nimbus", "Cedar", "Polar", "Golden", "Iron"};
    private static final String[] NOUNS = {"Labs", "Foods", "Logistics", "Health", "Systems", "Retail", "Works",
            "Media", "Capital", "Learning", "Goods", "Motors", "Analytics", "Textiles", "Freight", "Pharma"};

    private final SparkSession spark;
    private final long seed;
    private final int accounts;
    private final int months;
    private final LocalDate endDate;
    private final LocalDate startDate;

    public WarehouseGenerator(SparkSession spark, long seed, int accounts, int months, LocalDate endDate) {
        if (accounts <= 0 || months <= 0) {
            throw new IllegalArgumentException("accounts and months must be positive");
        }
        this.spark = spark;
        this.seed = seed;
        this.accounts = accounts;
        this.months = months;
        this.endDate = endDate;
        this.startDate = endDate.minusMonths(months).plusDays(1);
    }

    /** Every contract table, keyed by name. Lazily evaluated Datasets. */
    public Map<String, Dataset<Row>> tables() {
        Dataset<Row> acc = accountsWithLatents();
        Dataset<Row> lifecycle = lifecycle(acc);
        Dataset<Row> periods = periods(lifecycle);
        Map<String, Dataset<Row>> out = new LinkedHashMap<>();
        out.put("accounts", acc.select(WarehouseContract.ACCOUNTS.columnNames().stream().map(c -> col(c)).toArray(Column[]::new)));
        out.put("subscription_periods", project(periods, WarehouseContract.SUBSCRIPTION_PERIODS));
        out.put("churn_events", churnEvents(lifecycle));
        out.put("usage_daily", usage(periods));
        Dataset<Row> months = customerMonths(periods);
        out.put("support_tickets", tickets(months));
        out.put("survey_responses", surveys(months));
        out.put("invoices", invoices(months));
        out.put("csm_assessments", assessments(periods));
        out.put("csm_score_overrides", overrides(acc));
        return out;
    }

    /** Writes every table under {@code outDir/<table>} with stable file names, plus the planted model. */
    public void write(String outDir, String format) {
        int files = Math.max(1, (int) Math.ceil(accounts / 25_000.0));
        for (Map.Entry<String, Dataset<Row>> e : tables().entrySet()) {
            TableSpec spec = WarehouseContract.table(e.getKey());
            int n = e.getKey().equals("usage_daily") ? files * 4 : files;
            Column[] order = spec.key().stream().map(c -> col(c)).toArray(Column[]::new);
            var writer = e.getValue().repartition(n, col(spec.key().get(0))).sortWithinPartitions(order)
                    .write().mode("overwrite").format(format);
            if (format.equals("csv")) {
                writer = writer.option("header", "true");
            } else if (format.equals("parquet")) {
                writer = writer.option("compression", "zstd");
            }
            String dir = outDir + "/" + e.getKey();
            writer.save(dir);
            stabiliseFileNames(dir);
        }
        writeText(outDir + "/planted_model.json", PlantedModel.json(seed, accounts, months, endDate.toString()));
    }

    // ------------------------------------------------------------------ randomness

    /** Uniform [0, 1) from a hash of the seed, a purpose and the row keys. */
    private Column u(String purpose, Column... keys) {
        return HashDraws.uniform(seed, purpose, keys);
    }

    /** Standard normal (Box-Muller) from two hashed uniforms. */
    private Column normal(String purpose, Column... keys) {
        return sqrt(log(greatest(u(purpose + ".a", keys), lit(1e-12))).multiply(-2.0))
                .multiply(cos(u(purpose + ".b", keys).multiply(2 * Math.PI)));
    }

    private static Column sigmoid(Column x) {
        return lit(1.0).divide(lit(1.0).plus(exp(x.multiply(-1.0))));
    }

    private static Column pick(Column uniform, String... values) {
        return element_at(array(Arrays.stream(values).map(v -> lit(v)).toArray(Column[]::new)),
                floor(uniform.multiply(values.length)).cast("int").plus(1));
    }

    private static Column clamp(Column x, double lo, double hi) {
        return least(greatest(x, lit(lo)), lit(hi));
    }

    private static Dataset<Row> project(Dataset<Row> df, TableSpec spec) {
        List<Column> cols = new ArrayList<>();
        for (var c : spec.columns()) {
            cols.add(col(c.name()).cast(c.type()).as(c.name()));
        }
        return df.select(cols.toArray(Column[]::new));
    }

    // ------------------------------------------------------------------ accounts

    private Dataset<Row> accountsWithLatents() {
        Column id = col("id");
        Column industryIdx = floor(u("industry", id).multiply(INDUSTRIES.length)).cast("int");
        Column band = u("band", id);
        Column employees = when(band.lt(0.6), floor(exp(lit(Math.log(5)).plus(u("emp", id).multiply(Math.log(99.0 / 5))))))
                .when(band.lt(0.9), floor(exp(lit(Math.log(100)).plus(u("emp", id).multiply(Math.log(999.0 / 100))))))
                .otherwise(floor(exp(lit(Math.log(1000)).plus(u("emp", id).multiply(Math.log(20.0))))));
        long windowDays = java.time.temporal.ChronoUnit.DAYS.between(startDate, endDate) + 1;
        Column onboarded = date_add(lit(Date.valueOf(startDate)), floor(u("onboard", id).multiply(windowDays - 14)).cast("int"));
        Dataset<Row> base = spark.range(0, accounts, 1, Math.max(1, accounts / 50_000))
                .withColumn("account_id", format_string("A%07d", id))
                .withColumn("industry_idx", industryIdx)
                .withColumn("industry", element_at(array(Arrays.stream(INDUSTRIES).map(v -> lit(v)).toArray(Column[]::new)),
                        col("industry_idx").plus(1)))
                .withColumn("employee_count", employees.cast("int"))
                .withColumn("onboarded_at", onboarded);
        Column r = normal("r", id).plus(offset(0));
        Column us = normal("u", id).plus(offset(1));
        Column v = normal("v", id).plus(offset(2));
        Column seats0 = greatest(lit(1), round(col("employee_count").multiply(lit(0.05).plus(u("seats", id).multiply(0.25))))).cast("int");
        Column price = when(col("employee_count").lt(100), lit(45)).when(col("employee_count").lt(1000), lit(35)).otherwise(lit(28));
        Column hasCsm = when(col("employee_count").geq(100), lit(true)).otherwise(u("csm", id).lt(0.4));
        Column ttfv = round(lit(14).plus(sigmoid(col("lat_u").multiply(-1.0)).multiply(60)).plus(u("ttfv", id).multiply(20))).cast("int");
        Column firstValue = date_add(col("onboarded_at"), ttfv);
        return base
                .withColumn("lat_r", r).withColumn("lat_u", us).withColumn("lat_v", v)
                .withColumn("seats0", seats0).withColumn("price", price)
                .withColumn("csm_owner", when(hasCsm, format_string("csm_%02d", floor(u("csm_owner", id).multiply(12)).cast("int").plus(1))))
                .withColumn("first_value_at", when(u("never_value", id).geq(0.08).and(firstValue.leq(lit(Date.valueOf(endDate)))), firstValue))
                .withColumn("account_name", format_string("%s %s %s", pick(u("adj", id), ADJECTIVES), pick(u("noun", id), NOUNS),
                        format_string("%04d", pmod(id, lit(10000)))))
                .withColumn("parent_account_id", parent(id));
    }

    /**
     * Groups of companies, three levels deep: every account whose number is a multiple of 100 heads a group; one whose
     * number ends in 50 is a subsidiary of the head 50 below it; and about 3% of the others are subsidiaries of a head or
     * of such a subsidiary (a multiple of 50, drawn).
     */
    private Column parent(Column id) {
        Column drawnParent = floor(u("parent_pick", id).multiply(accounts / 50)).cast("long").multiply(50);
        return when(pmod(id, lit(100)).equalTo(50), format_string("A%07d", id.minus(50)))
                .when(pmod(id, lit(50)).notEqual(0).and(u("has_parent", id).lt(0.03)).and(lit(accounts >= 100)),
                        format_string("A%07d", drawnParent));
    }

    private static final String[] OVERRIDE_REASONS = {"Executive sponsor left; renewal at risk whatever usage says",
            "Renewal agreed verbally with the buyer", "Usage dip is a planned migration, not disengagement",
            "Escalation with our support leadership open", "Budget cut announced by the customer", "Expansion deal in legal review"};

    /**
     * CSM overrides: about 4% of the accounts a CSM owns get one, 0-200 days before the end date, for 30-120 days (so some
     * have expired, some are in force and some end within days), a tier or a score, with a reason; the author is the CSM.
     */
    private Dataset<Row> overrides(Dataset<Row> acc) {
        Column id = col("id");
        Column from = date_sub(lit(Date.valueOf(endDate)), floor(u("override_from", id).multiply(200)).cast("int"));
        Column byTier = u("override_kind", id).lt(0.5);
        Dataset<Row> rows = acc.where(col("csm_owner").isNotNull().and(u("override", id).lt(0.04)))
                .withColumn("valid_from", from)
                .withColumn("valid_until", date_add(col("valid_from"), floor(u("override_days", id).multiply(91)).cast("int").plus(30)))
                .withColumn("override_tier", when(byTier, pick(u("override_tier", id), "healthy", "needs_attention", "at_risk", "critical")))
                .withColumn("override_score", when(byTier.equalTo(false), round(lit(20.0).plus(u("override_score", id).multiply(70)))))
                .withColumn("reason", pick(u("override_reason", id), OVERRIDE_REASONS))
                .withColumn("author", col("csm_owner"));
        return project(rows, WarehouseContract.CSM_SCORE_OVERRIDES);
    }

    private Column offset(int component) {
        Column o = lit(0.0);
        for (int i = 0; i < INDUSTRY_OFFSETS.length; i++) {
            o = when(col("industry_idx").equalTo(i), lit(INDUSTRY_OFFSETS[i][component])).otherwise(o);
        }
        return o;
    }

    // ------------------------------------------------------------------ churn and periods

    /** Adds churned_at (first monthly anniversary the planted model churns at), churn type and win-back. */
    private Dataset<Row> lifecycle(Dataset<Row> acc) {
        Column end = lit(Date.valueOf(endDate));
        Column logit = lit(PlantedModel.INTERCEPT).plus(col("lat_r").multiply(PlantedModel.BETA_RELATIONSHIP))
                .plus(col("lat_u").multiply(PlantedModel.BETA_USAGE)).plus(col("lat_v").multiply(PlantedModel.BETA_VALUE));
        Dataset<Row> churnMonth = acc
                .withColumn("max_k", floor(months_between(end, col("onboarded_at"))).cast("int"))
                .where(col("max_k").geq(1))
                .withColumn("k", explode(sequence(lit(1), col("max_k"))))
                .where(u("churn", col("id"), col("k")).lt(sigmoid(logit)))
                .groupBy("id").agg(min("k").as("churn_k"));
        Column churnedAt = expr("add_months(onboarded_at, churn_k)");
        Column gap = floor(u("winback_gap", col("id")).multiply(7)).cast("int").plus(2);
        return acc.join(churnMonth, new String[] {"id"}, "left")
                .withColumn("churned_at", when(col("churn_k").isNotNull(), churnedAt))
                .withColumn("involuntary", u("involuntary", col("id")).lt(sigmoid(
                        lit(PlantedModel.INVOLUNTARY_INTERCEPT).plus(col("lat_v").multiply(PlantedModel.INVOLUNTARY_BETA_VALUE)))))
                .withColumn("winback_gap", gap)
                .withColumn("winback_at", when(col("churned_at").isNotNull()
                        .and(u("winback", col("id")).lt(PlantedModel.WIN_BACK_RATE)), expr("add_months(churned_at, winback_gap)")))
                .withColumn("winback_at", when(col("winback_at").leq(end), col("winback_at")));
    }

    /**
     * Subscription periods: six-month terms from onboarding until churn (the last one open when the
     * account is still a customer at the end date), with seats growing or shrinking with the value
     * component at each renewal; plus one open period for a win-back.
     */
    private Dataset<Row> periods(Dataset<Row> life) {
        Column end = lit(Date.valueOf(endDate));
        Column lastDay = coalesce(date_sub(col("churned_at"), 1), end);
        Dataset<Row> terms = life
                .withColumn("n_terms", floor(months_between(lastDay, col("onboarded_at")).divide(6)).cast("int").plus(1))
                .withColumn("term", explode(sequence(lit(0), col("n_terms").minus(1))))
                .withColumn("start_date", expr("add_months(onboarded_at, 6 * term)"))
                .withColumn("natural_end", date_sub(expr("add_months(onboarded_at, 6 * (term + 1))"), 1))
                .where(col("start_date").leq(lastDay))
                .withColumn("end_date", when(col("churned_at").isNotNull(), least(col("natural_end"), lastDay))
                        .otherwise(when(col("natural_end").lt(end), col("natural_end"))))
                .withColumn("growth", when(col("term").equalTo(0), lit(1.0)).otherwise(
                        pow(lit(1.0).plus(col("lat_v").multiply(0.06)), col("term"))
                                .multiply(lit(1.0).plus(normal("seat_change", col("id"), col("term")).multiply(0.12)))));
        Dataset<Row> winbacks = life.where(col("winback_at").isNotNull())
                .withColumn("term", lit(-1))
                .withColumn("start_date", col("winback_at"))
                .withColumn("end_date", lit(null).cast("date"))
                .withColumn("growth", lit(0.8));
        Dataset<Row> all = terms.select(periodColumns()).unionByName(winbacks.select(periodColumns()));
        Column seats = greatest(lit(1), round(col("seats0").multiply(col("growth")))).cast("int");
        return all.withColumn("seats", seats)
                .withColumn("mrr", col("seats").multiply(col("price")).cast(WarehouseContract.MONEY));
    }

    private static Column[] periodColumns() {
        return new Column[] {col("id"), col("account_id"), col("start_date"), col("end_date"), col("term"), col("growth"),
                col("seats0"), col("price"), col("lat_r"), col("lat_u"), col("lat_v"), col("csm_owner"), col("churned_at"),
                col("involuntary")};
    }

    private Dataset<Row> churnEvents(Dataset<Row> life) {
        Column voluntaryReason = pick(u("reason", col("id")), "poor fit", "unmet expectations", "budget cut", "moved to a competitor",
                "champion left");
        return life.where(col("churned_at").isNotNull())
                .select(col("account_id"), col("churned_at"),
                        when(col("involuntary"), lit("involuntary")).otherwise(lit("voluntary")).as("churn_type"),
                        when(col("involuntary"), lit("payment failed")).otherwise(voluntaryReason).as("reason"));
    }

    // ------------------------------------------------------------------ usage

    private Dataset<Row> usage(Dataset<Row> periods) {
        Column end = lit(Date.valueOf(endDate));
        Column day = col("usage_date");
        Column weekday = when(dayofweek(day).isin(1, 7), lit(0.1)).otherwise(lit(1.0));
        Column season = lit(1.0).plus(sin(dayofyear(day).multiply(2 * Math.PI / 365.25)).multiply(0.12));
        Column utilisation = sigmoid(lit(0.2).plus(col("lat_u").multiply(0.9)));
        Column active = floor(col("seats").multiply(utilisation).multiply(season).multiply(weekday)
                .multiply(lit(0.8).plus(u("au", col("id"), day).multiply(0.4))).plus(u("au_round", col("id"), day)));
        return periods
                .withColumn("usage_date", explode(sequence(col("start_date"), coalesce(col("end_date"), end))))
                .withColumn("active_users", active.cast("int"))
                .where(col("active_users").gt(0))
                .select(col("account_id"), col("usage_date"), col("active_users"),
                        round(col("active_users").multiply(lit(1.2).plus(sigmoid(col("lat_u")).multiply(1.5)))
                                .multiply(lit(0.8).plus(u("sessions", col("id"), day).multiply(0.4)))).cast("long").as("sessions"),
                        round(col("active_users").multiply(lit(0.3).plus(sigmoid(col("lat_u").plus(normal("kfe", col("id"), day).multiply(0.5)))
                                .multiply(2.5)))).cast("long").as("key_feature_events"),
                        clamp(round(lit(2.0).plus(sigmoid(col("lat_u").multiply(0.8)).multiply(10))
                                .plus(normal("features", col("id"), day).multiply(1.5))), 1, 20).cast("int").as("features_used"));
    }

    // ------------------------------------------------------------------ monthly events

    /** One row per account and month of each period (month_start on the period's monthly grid). */
    private Dataset<Row> customerMonths(Dataset<Row> periods) {
        Column end = lit(Date.valueOf(endDate));
        return periods
                .withColumn("period_last", least(coalesce(col("end_date"), end), end))
                .withColumn("month_start", explode(sequence(col("start_date"), col("period_last"), expr("INTERVAL 1 MONTH"))))
                .withColumn("ym", date_format(col("month_start"), "yyyyMMdd"));
    }

    private Dataset<Row> tickets(Dataset<Row> months) {
        Column end = lit(Date.valueOf(endDate));
        Column rate = clamp(lit(0.12).plus(log(col("seats").plus(1)).multiply(0.03)).minus(col("lat_u").multiply(0.06)), 0.02, 0.6);
        Column k = col("slot");
        Column priorityDraw = u("prio", col("id"), col("month_start"), k).plus(col("lat_u").multiply(-0.08));
        Column opened = date_add(col("month_start"), floor(u("open", col("id"), col("month_start"), k).multiply(28)).cast("int"));
        Column resolved = date_add(col("opened_at"), floor(log(greatest(u("resolve", col("id"), col("month_start"), k), lit(1e-9)))
                .multiply(-3.0)).cast("int"));
        return months
                .withColumn("slot", explode(array(lit(0), lit(1), lit(2))))
                .where(u("ticket", col("id"), col("month_start"), k).lt(rate))
                .withColumn("opened_at", opened)
                .where(col("opened_at").leq(col("period_last")))
                .withColumn("resolved_raw", resolved)
                .select(format_string("T-%s-%s-%d", col("account_id"), col("ym"), k).as("ticket_id"),
                        col("account_id"), col("opened_at"),
                        when(col("resolved_raw").leq(end), col("resolved_raw")).as("resolved_at"),
                        when(priorityDraw.gt(0.93), lit("urgent")).when(priorityDraw.gt(0.78), lit("high"))
                                .when(priorityDraw.gt(0.4), lit("medium")).otherwise(lit("low")).as("priority"),
                        lit(1).plus(floor(log(greatest(u("contacts", col("id"), col("month_start"), k), lit(1e-9))).multiply(-0.8)))
                                .cast("int").as("contacts_to_resolve"),
                        when(col("resolved_raw").leq(end).and(u("csat_answered", col("id"), col("month_start"), k).lt(0.6)),
                                clamp(round(lit(3.6).plus(col("lat_r").multiply(0.8)).plus(normal("csat", col("id"), col("month_start"), k)
                                        .multiply(0.8))), 1, 5)).cast("int").as("csat"));
    }

    private Dataset<Row> surveys(Dataset<Row> months) {
        Column type = col("survey_type");
        Column score = when(type.equalTo("NPS"), clamp(round(lit(7.0).plus(col("lat_r").multiply(1.8))
                        .plus(normal("nps", col("id"), col("month_start")).multiply(1.3))), 0, 10))
                .when(type.equalTo("CSAT"), clamp(round(lit(3.7).plus(col("lat_r").multiply(0.8))
                        .plus(normal("csat_survey", col("id"), col("month_start")).multiply(0.7))), 1, 5))
                .otherwise(clamp(round(lit(3.2).minus(col("lat_u").multiply(0.9))
                        .plus(normal("ces", col("id"), col("month_start")))), 1, 7));
        Column answered = when(type.equalTo("NPS"), lit(0.12)).when(type.equalTo("CSAT"), lit(0.08)).otherwise(lit(0.05));
        return months
                .withColumn("survey_type", explode(array(lit("NPS"), lit("CSAT"), lit("CES"))))
                .where(u("survey", col("id"), col("month_start"), type).lt(answered))
                .withColumn("responded_at", date_add(col("month_start"), floor(u("responded", col("id"), col("month_start"), type)
                        .multiply(28)).cast("int")))
                .where(col("responded_at").leq(col("period_last")))
                .select(format_string("S-%s-%s-%s", col("account_id"), col("ym"), type).as("response_id"),
                        col("account_id"), col("responded_at"), type, score.cast("double").as("score"));
    }

    private Dataset<Row> invoices(Dataset<Row> months) {
        Column end = lit(Date.valueOf(endDate));
        Column id = col("id");
        Column onTime = u("on_time", id, col("month_start")).lt(sigmoid(lit(1.2).plus(col("lat_v").multiply(1.6))));
        Column paidEarly = date_add(col("month_start"), floor(u("pay_day", id, col("month_start")).multiply(30)).cast("int"));
        Column paidLate = date_add(col("due_at"), lit(1).plus(floor(log(greatest(u("late_days", id, col("month_start")), lit(1e-9)))
                .multiply(-1.0).multiply(lit(8.0).plus(sigmoid(col("lat_v").multiply(-1.0)).multiply(10))))).cast("int"));
        // Involuntary churners stop paying in the two months before they churn.
        Column unpaidBeforeChurn = col("involuntary").and(col("churned_at").isNotNull())
                .and(col("month_start").geq(expr("add_months(churned_at, -2)"))).and(col("month_start").lt(col("churned_at")));
        return months
                .withColumn("due_at", date_add(col("month_start"), 30))
                .withColumn("paid_raw", when(unpaidBeforeChurn, lit(null).cast("date")).when(onTime, paidEarly).otherwise(paidLate))
                .select(format_string("I-%s-%s", col("account_id"), col("ym")).as("invoice_id"),
                        col("account_id"), col("month_start").as("issued_at"), col("due_at"),
                        when(col("paid_raw").leq(end), col("paid_raw")).as("paid_at"),
                        col("mrr").cast(WarehouseContract.MONEY).as("amount"));
    }

    private Dataset<Row> assessments(Dataset<Row> periods) {
        Column end = lit(Date.valueOf(endDate));
        Column id = col("id");
        Column q = col("quarter_start");
        Column rel = col("lat_r").plus(normal("intent", id, q).multiply(0.5));
        return periods
                .where(col("csm_owner").isNotNull())
                .withColumn("period_last", least(coalesce(col("end_date"), end), end))
                .withColumn("quarter_start", explode(sequence(col("start_date"), col("period_last"), expr("INTERVAL 3 MONTH"))))
                .withColumn("assessed_at", date_add(q, floor(u("assessed", id, q).multiply(20)).cast("int")))
                .where(col("assessed_at").leq(col("period_last")))
                .select(col("account_id"), col("assessed_at"),
                        clamp(round(lit(3.0).plus(col("lat_r")).plus(normal("rel", id, q).multiply(0.6))), 1, 5).cast("int").as("relationship_rating"),
                        when(rel.gt(0.3), lit("committed")).when(rel.lt(-0.7), lit("apprehensive")).otherwise(lit("neutral")).as("renewal_intent"),
                        clamp(round(lit(3.0).plus(col("lat_r").multiply(0.8)).plus(col("lat_u").multiply(0.3))
                                .plus(normal("eng", id, q).multiply(0.7))), 1, 5).cast("int").as("engagement"),
                        col("lat_r").plus(normal("ref", id, q).multiply(0.6)).gt(0.8).as("referenceable"),
                        clamp(round(lit(3.0).plus(col("lat_v").multiply(0.8)).plus(normal("growth", id, q).multiply(0.8))), 1, 5)
                                .cast("int").as("growth_potential"));
    }

    // ------------------------------------------------------------------ files

    /** Renames Spark's part files (which carry a random job id) to part-NNNNN.ext and drops markers and checksums. */
    private void stabiliseFileNames(String dir) {
        try {
            Path path = new Path(dir);
            FileSystem fs = rawFileSystem(path);
            for (FileStatus f : fs.listStatus(path)) {
                String name = f.getPath().getName();
                if (name.startsWith("part-")) {
                    String number = name.substring(5, 10);
                    String ext = name.substring(name.indexOf('.', name.indexOf("-c000")));
                    fs.rename(f.getPath(), new Path(path, "part-" + number + ext));
                } else if (name.equals("_SUCCESS") || name.endsWith(".crc")) {
                    fs.delete(f.getPath(), false);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot rename the part files in " + dir, e);
        }
    }

    /** The file system under Hadoop's checksum wrapper, which would hide and re-create .crc files. */
    private FileSystem rawFileSystem(Path path) throws IOException {
        FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
        return fs instanceof ChecksumFileSystem checksummed ? checksummed.getRawFileSystem() : fs;
    }

    private void writeText(String file, String text) {
        try {
            Path path = new Path(file);
            try (FSDataOutputStream out = rawFileSystem(path).create(path, true)) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }
}
