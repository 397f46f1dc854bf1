package com.customerhealth.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.generate.WarehouseGenerator;
import com.customerhealth.score.ScoringPipeline;
import com.customerhealth.validate.TableReport;
import com.customerhealth.validate.ValidatedWarehouse;
import com.customerhealth.validate.WarehouseLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Date;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generator: deterministic to the byte, contract-clean, and plausible. The plausibility checks
 * run on the committed data-sample, which the first test proves is exactly what the generator makes.
 */
class GeneratorTest {
    private static final Path SAMPLE = Path.of("data-sample/warehouse").toAbsolutePath();
    private static final LocalDate END = LocalDate.of(2026, 9, 30);
    private static final List<String> ALL_TABLES = WarehouseContract.TABLES.stream().map(t -> t.name()).toList();
    private static SparkSession spark;
    private static ValidatedWarehouse sample;
    private static AppConfig sampleConfig;

    @BeforeAll
    static void loadSample() {
        spark = TestSpark.session();
        sampleConfig = AppConfig.load(null, Map.of("input.root", SAMPLE.toString(), "input.tables.csm_score_overrides.type", "path"));
        sample = WarehouseLoader.load(spark, sampleConfig, END, "generator-test", ALL_TABLES);
    }

    private static Map<String, String> digests(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                try {
                    out.put(root.relativize(p).toString(),
                            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }

    @Test
    void theCommittedSampleIsExactlyWhatTheGeneratorWritesForItsSeed() throws IOException {
        Path fresh = Files.createTempDirectory("sample-again");
        new WarehouseGenerator(spark, 42, 2000, 36, END).write(fresh.toString(), "parquet");

        // Same files (no random job ids, no checksum or marker files) ...
        assertThat(digests(fresh).keySet()).isEqualTo(digests(SAMPLE).keySet());
        assertThat(digests(fresh).keySet()).noneMatch(f -> f.endsWith(".crc") || f.endsWith("_SUCCESS"));
        assertThat(digests(fresh).get("planted_model.json")).isEqualTo(digests(SAMPLE).get("planted_model.json"));
        // ... holding the same rows, file by file (Parquet footers may order encodings differently per JVM).
        for (String file : digests(SAMPLE).keySet()) {
            if (file.endsWith(".parquet")) {
                Dataset<Row> committed = spark.read().parquet(SAMPLE.resolve(file).toString());
                Dataset<Row> again = spark.read().parquet(fresh.resolve(file).toString());
                assertThat(again.count()).as(file).isEqualTo(committed.count());
                assertThat(again.exceptAll(committed).isEmpty()).as(file).isTrue();
            }
        }
    }

    @Test
    void anotherSeedGivesOtherDataAndTheSameSeedTheSameBytes() throws IOException {
        Path a = Files.createTempDirectory("gen-a");
        Path b = Files.createTempDirectory("gen-b");
        Path c = Files.createTempDirectory("gen-c");
        new WarehouseGenerator(spark, 7, 150, 12, END).write(a.toString(), "csv");
        new WarehouseGenerator(spark, 7, 150, 12, END).write(b.toString(), "csv");
        new WarehouseGenerator(spark, 8, 150, 12, END).write(c.toString(), "csv");

        assertThat(digests(b)).isEqualTo(digests(a));
        assertThat(digests(c).get("usage_daily/part-00000.csv")).isNotEqualTo(digests(a).get("usage_daily/part-00000.csv"));

        // The CSV warehouse reads back through the text-parsing path with nothing quarantined, and scores.
        AppConfig csv = AppConfig.load(null, Map.of("input.root", a.toString(), "input.format", "csv",
                "input.tables.csm_score_overrides.type", "path"));
        ValidatedWarehouse w = WarehouseLoader.load(spark, csv, END, "csv", ALL_TABLES);
        assertThat(w.reports()).hasSameSizeAs(ALL_TABLES).allSatisfy(r -> assertThat(r.rejected()).as(r.table() + " " + r.rejectedByRule()).isZero());
        assertThat(w.table("csm_assessments").schema().apply("referenceable").dataType())
                .isEqualTo(org.apache.spark.sql.types.DataTypes.BooleanType);
        assertThat(new ScoringPipeline(csv, csv.model()).scores(w, List.of(END), "csv").count()).isPositive();
        w.release();
    }

    @Test
    void theSampleFollowsTheContractWithNothingQuarantined() {
        for (TableReport r : sample.reports()) {
            assertThat(r.rejected()).as(r.table() + " " + r.rejectedByRule()).isZero();
            assertThat(r.rows()).as(r.table()).isPositive();
        }
        assertThat(sample.table("accounts").count()).isEqualTo(2000);
        // The optional inputs: groups of companies three levels deep whose links all hold, and CSM overrides.
        Dataset<Row> links = com.customerhealth.actions.AccountHierarchy.checkedLinks(sample.table("accounts"));
        assertThat(List.of(links.count(), sample.optionalTable("csm_score_overrides").orElseThrow().count()))
                .as("parent links, overrides").containsExactly(SAMPLE_PARENT_LINKS, SAMPLE_OVERRIDES);
        assertThat(links.where("rule IS NOT NULL").count()).isZero();
        assertThat(links.as("child").join(links.as("parent"), col("child.parent_account_id").equalTo(col("parent.account_id"))).count())
                .as("links whose parent has a parent: three levels").isPositive();
    }

    private static final long SAMPLE_PARENT_LINKS = 78;
    private static final long SAMPLE_OVERRIDES = 51;

    @Test
    void churnIsPlausibleWithBothTypesAndWinBacks() {
        LocalDate yearAgo = END.minusYears(1);
        long customersYearAgo = com.customerhealth.features.Snapshots.customersOn(sample.table("subscription_periods"), List.of(yearAgo)).count();
        long churnedSince = sample.optionalTable("churn_events").orElseThrow()
                .where(col("churned_at").gt(lit(Date.valueOf(yearAgo)))).count();
        double annualChurn = (double) churnedSince / customersYearAgo;
        // B2B SaaS annual logo churn is typically 10-30%; the planted model is set near 20%.
        assertThat(annualChurn).isBetween(0.10, 0.35);

        Dataset<Row> events = sample.optionalTable("churn_events").orElseThrow();
        double involuntaryShare = (double) events.where("churn_type = 'involuntary'").count() / events.count();
        assertThat(involuntaryShare).isBetween(0.10, 0.50);

        long winBacks = sample.table("subscription_periods").as("p").join(events.as("e"),
                        col("p.account_id").equalTo(col("e.account_id")).and(col("p.start_date").gt(col("e.churned_at"))))
                .select("p.account_id").distinct().count();
        assertThat(winBacks).isPositive();
        // Sizes span the three bands, MRR moves both ways at renewals.
        assertThat(sample.table("accounts").where("employee_count >= 1000").count()).isPositive();
        assertThat(sample.table("accounts").where("employee_count < 100").count()).isGreaterThan(800);
    }

    @Test
    void tierMixIsPlausibleAndTheScoreSeparatesFutureChurners() {
        LocalDate asOf = END.minusDays(90);
        Dataset<Row> scores = new ScoringPipeline(sampleConfig, sampleConfig.model())
                .scores(sample, List.of(asOf), "generator-test").cache();
        long n = scores.count();
        Map<String, Long> tiers = new TreeMap<>();
        scores.groupBy("health_tier").count().collectAsList().forEach(r -> tiers.put(r.getString(0), r.getLong(1)));
        for (String tier : List.of("healthy", "needs_attention", "at_risk")) {
            assertThat((double) tiers.getOrDefault(tier, 0L) / n).as(tier + " share of " + tiers).isBetween(0.05, 0.70);
        }
        assertThat((double) tiers.getOrDefault("critical", 0L) / n).as("critical share").isLessThan(0.20);

        // Accounts that churn in the next 90 days (planted model) score lower on average than those that stay.
        Dataset<Row> churners = sample.optionalTable("churn_events").orElseThrow()
                .where(col("churned_at").gt(lit(Date.valueOf(asOf))).and(col("churned_at").leq(lit(Date.valueOf(END)))))
                .select("account_id").distinct().withColumn("churned", lit(true));
        List<Row> means = scores.join(churners, new String[] {"account_id"}, "left")
                .groupBy(col("churned").isNotNull().as("churned")).avg("health_score").orderBy("churned").collectAsList();
        double stayers = means.get(0).getDouble(1);
        double leavers = means.get(1).getDouble(1);
        assertThat(leavers).as("mean score of churners vs stayers").isLessThan(stayers - 5);
        scores.unpersist();
    }

    @Test
    void theMrrIdentityHoldsOnTheSampleForEveryAccountMonthAndRollUp() {
        List<LocalDate> months = com.customerhealth.cohorts.MrrMovements.monthEnds(END.minusMonths(36), END);
        Dataset<Row> periods = sample.table("subscription_periods");
        Dataset<Row> movements = com.customerhealth.cohorts.CohortMetrics.movementsTable(
                com.customerhealth.cohorts.MrrMovements.movements(periods, sample.optionalTable("churn_events").orElseThrow(), months, "voluntary"),
                com.customerhealth.cohorts.CohortMetrics.segments(sample.table("accounts"), sampleConfig),
                com.customerhealth.cohorts.CohortMetrics.renewals(periods, 0, END)).cache();
        String identity = "mrr_begin + new_mrr + expansion_mrr + reactivation_mrr - contraction_mrr - churned_mrr <> mrr_end";

        assertThat(movements.where(identity).count()).isZero();
        Dataset<Row> revenue = com.customerhealth.cohorts.CohortMetrics.revenueMetrics(movements, sampleConfig.cohorts());
        assertThat(revenue.where(identity).count()).isZero();
        assertThat(revenue.where("grouping = 'overall'").count()).isEqualTo(36);
        // Every movement type occurs in the sample, reactivations (win-backs) included.
        assertThat(movements.select("movement").distinct().collectAsList()).extracting(r -> r.getString(0))
                .contains("new", "expansion", "contraction", "churn", "reactivation", "none");
        movements.unpersist();
    }
}
