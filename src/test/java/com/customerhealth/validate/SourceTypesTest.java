package com.customerhealth.validate;

import static com.customerhealth.FixtureWarehouse.D;
import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import com.customerhealth.contract.TableSpec;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.score.ScoringPipeline;
import com.customerhealth.validate.ValidatedWarehouse;
import com.customerhealth.validate.WarehouseLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The same warehouse read as Parquet files, Delta tables by path, and catalog tables gives the same scores. */
class SourceTypesTest {
    private static final List<String> ALL_TABLES = WarehouseContract.TABLES.stream().map(TableSpec::name).toList();
    private final SparkSession spark = TestSpark.session();

    private List<Row> scores(AppConfig cfg) {
        ValidatedWarehouse w = WarehouseLoader.load(spark, cfg, D, "sources", ALL_TABLES);
        List<Row> rows = new ScoringPipeline(cfg, cfg.model()).scores(w, List.of(D), "sources").orderBy("account_id").collectAsList();
        w.release();
        return rows;
    }

    @Test
    void deltaPathsAndCatalogTablesReadLikeParquetFiles() throws Exception {
        AppConfig parquet = FixtureWarehouse.standard().writeAndConfigure(spark, Map.of());
        Path delta = Files.createTempDirectory("delta-warehouse");
        spark.sql("CREATE DATABASE IF NOT EXISTS crm_source_test");
        Map<String, String> overDelta = new HashMap<>();
        Map<String, String> overCatalog = new HashMap<>();
        for (String table : ALL_TABLES) {
            var rows = spark.read().parquet(parquet.source(table).path());
            rows.write().format("delta").save(delta.resolve(table).toString());
            rows.write().format("delta").mode("overwrite").saveAsTable("crm_source_test." + table);
            overDelta.put("input.tables." + table + ".format", "delta");
            overDelta.put("input.tables." + table + ".path", delta.resolve(table).toString());
            overCatalog.put("input.tables." + table + ".type", "catalog");
            overCatalog.put("input.tables." + table + ".table", "crm_source_test." + table);
        }

        List<Row> expected = scores(parquet);
        assertThat(expected).hasSize(3);
        assertThat(scores(parquet.with(overDelta))).isEqualTo(expected);
        assertThat(scores(parquet.with(overCatalog))).isEqualTo(expected);
    }

    @Test
    void withoutChurnEventsTheJobsStillRun() {
        AppConfig cfg = FixtureWarehouse.standard().writeAndConfigure(spark, Map.of("input.tables.churn_events.type", "none"));
        ValidatedWarehouse w = WarehouseLoader.load(spark, cfg, D, "sources", ALL_TABLES);

        assertThat(w.optionalTable("churn_events")).isEmpty();
        assertThat(w.reports()).extracting(r -> r.table()).doesNotContain("churn_events");
        w.release();
    }
}
