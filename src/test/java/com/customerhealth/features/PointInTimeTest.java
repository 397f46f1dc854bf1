package com.customerhealth.features;

import static com.customerhealth.FixtureWarehouse.D;
import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.score.ScoringPipeline;
import com.customerhealth.validate.TableReport;
import com.customerhealth.validate.ValidatedWarehouse;
import com.customerhealth.validate.WarehouseLoader;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Features as of D use only rows known by D; many dates in one pass equal one date at a time. */
class PointInTimeTest {
    private final SparkSession spark = TestSpark.session();
    private static final List<String> ALL_TABLES = WarehouseContract.TABLES.stream().map(t -> t.name()).toList();

    private static List<Row> sorted(Dataset<Row> scores) {
        return scores.drop("run_id").orderBy("score_date", "account_id").collectAsList();
    }

    private Dataset<Row> score(AppConfig cfg, List<LocalDate> dates) {
        ValidatedWarehouse w = WarehouseLoader.load(spark, cfg, D, "pit", ALL_TABLES);
        return new ScoringPipeline(cfg, cfg.model()).scores(w, dates, "pit");
    }

    @Test
    void rowsDatedAfterTheRunDateChangeNothingScoredForIt() {
        AppConfig base = FixtureWarehouse.standard().writeAndConfigure(spark, Map.of());
        AppConfig later = FixtureWarehouse.standard().withRowsAfterD()
                .writeAndConfigure(spark, Map.of("validation.rows-after-run-date", "exclude"));

        assertThat(sorted(score(later, List.of(D)))).isEqualTo(sorted(score(base, List.of(D))));
    }

    @Test
    void quarantinedFutureRowsAlsoChangeNothingAndAreReported() {
        AppConfig later = FixtureWarehouse.standard().withRowsAfterD()
                .writeAndConfigure(spark, Map.of("validation.max-rejected-share", "1.0"));
        AppConfig base = FixtureWarehouse.standard().writeAndConfigure(spark, Map.of());

        ValidatedWarehouse w = WarehouseLoader.load(spark, later, D, "pit", ALL_TABLES);
        assertThat(sorted(new ScoringPipeline(later, later.model()).scores(w, List.of(D), "pit")))
                .isEqualTo(sorted(score(base, List.of(D))));
        // 31 + 31 usage days, 1 ticket, 1 survey, 2 assessments, 1 invoice, 1 period
        Map<String, Long> futureByTable = new java.util.TreeMap<>();
        for (TableReport r : w.reports()) {
            futureByTable.put(r.table(), r.rejectedByRule().getOrDefault("date_after_run_date", 0L));
        }
        assertThat(futureByTable).containsEntry("usage_daily", 62L).containsEntry("support_tickets", 1L)
                .containsEntry("survey_responses", 1L).containsEntry("csm_assessments", 2L)
                .containsEntry("invoices", 1L).containsEntry("subscription_periods", 1L).containsEntry("accounts", 0L);
        assertThat(w.rejected().where("rule = 'date_after_run_date'").count()).isEqualTo(68L);
    }

    @Test
    void manyAsOfDatesInOnePassEqualOneDateAtATime() {
        AppConfig cfg = FixtureWarehouse.standard().withRowsAfterD()
                .writeAndConfigure(spark, Map.of("validation.rows-after-run-date", "exclude"));
        LocalDate may = LocalDate.of(2024, 5, 31);
        LocalDate march = LocalDate.of(2024, 3, 15);

        ValidatedWarehouse w = WarehouseLoader.load(spark, cfg, D, "pit", ALL_TABLES);
        ScoringPipeline pipeline = new ScoringPipeline(cfg, cfg.model());
        List<Row> together = sorted(pipeline.scores(w, List.of(march, may, D), "pit"));
        List<Row> oneByOne = new java.util.ArrayList<>();
        for (LocalDate d : List.of(march, may, D)) {
            oneByOne.addAll(sorted(pipeline.scores(w, List.of(d), "pit")));
        }
        w.release();
        assertThat(together).isEqualTo(oneByOne);
        // A4 was a customer in March (period until 2024-03-31), not in May: snapshots follow the periods.
        assertThat(together.stream().filter(r -> r.getAs("account_id").equals("A4")).count()).isEqualTo(1);
    }
}
