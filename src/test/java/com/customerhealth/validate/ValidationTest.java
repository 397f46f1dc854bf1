package com.customerhealth.validate;

import static com.customerhealth.FixtureWarehouse.D;
import static com.customerhealth.FixtureWarehouse.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.JobFailure;
import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.validate.ValidatedWarehouse;
import com.customerhealth.validate.WarehouseLoader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Every validation rule: the table-level error (exit 3) or the quarantined row with its reason. */
class ValidationTest {
    private final SparkSession spark = TestSpark.session();
    private static final List<String> ALL_TABLES = WarehouseContract.TABLES.stream().map(t -> t.name()).toList();

    private ValidatedWarehouse load(AppConfig cfg) {
        return WarehouseLoader.load(spark, cfg, D, "validation-test", ALL_TABLES);
    }

    private Path root(AppConfig cfg) {
        return Path.of(cfg.raw().getString("input.root"));
    }

    /** Replaces one table of a written fixture with rows of an arbitrary schema. */
    private void overwrite(AppConfig cfg, String table, List<Row> rows, StructType schema) {
        spark.createDataFrame(rows, schema).coalesce(1).write().mode("overwrite").parquet(root(cfg).resolve(table).toString());
    }

    private static StructType accountsSchemaWith(String column, org.apache.spark.sql.types.DataType type) {
        StructType s = new StructType();
        for (var f : WarehouseContract.schema(WarehouseContract.ACCOUNTS).fields()) {
            if (f.name().equals("parent_account_id")) {
                continue; // optional: absent, it reads as null
            }
            s = s.add(f.name(), f.name().equals(column) ? type : f.dataType(), true);
        }
        return s;
    }

    @Test
    void missingRequiredColumnStopsWithTableColumnAndRule() {
        AppConfig cfg = FixtureWarehouse.standard().writeAndConfigure(spark, Map.of());
        StructType noIndustry = new StructType().add("account_id", DataTypes.StringType).add("account_name", DataTypes.StringType)
                .add("employee_count", DataTypes.IntegerType).add("onboarded_at", DataTypes.DateType);
        overwrite(cfg, "accounts", List.of(RowFactory.create("A1", "x", 10, d("2023-01-01"))), noIndustry);

        assertThatThrownBy(() -> load(cfg)).isInstanceOfSatisfying(JobFailure.class, f -> {
            assertThat(f.exitCode()).isEqualTo(3);
            assertThat(f.getMessage()).contains("Table accounts", "industry", "required_column");
        });
    }

    @Test
    void mappedColumnNamesAndExtraColumnsAreAccepted() {
        AppConfig cfg = FixtureWarehouse.standard().writeAndConfigure(spark, Map.of("input.tables.accounts.columns.industry", "sector"));
        StructType renamed = accountsSchemaWith("industry", DataTypes.StringType);
        StructType withSector = new StructType();
        for (var f : renamed.fields()) {
            withSector = withSector.add(f.name().equals("industry") ? "sector" : f.name(), f.dataType(), true);
        }
        withSector = withSector.add("crm_only_column", DataTypes.StringType, true);
        overwrite(cfg, "accounts", List.of(
                RowFactory.create("A1", "a", "retail", 10, d("2023-01-01"), null, null, "x"),
                RowFactory.create("A2", "b", "retail", 10, d("2023-01-01"), null, null, "y"),
                RowFactory.create("A3", "c", "retail", 10, d("2024-03-01"), null, null, "z"),
                RowFactory.create("A4", "d", "retail", 10, d("2023-01-01"), null, null, "w")), withSector);

        ValidatedWarehouse w = load(cfg);
        assertThat(w.table("accounts").columns()).containsExactlyElementsOf(WarehouseContract.ACCOUNTS.columnNames());
        assertThat(w.table("accounts").where("industry = 'retail'").count()).isEqualTo(4);
    }

    @Test
    void unreadableTypeStops() {
        AppConfig cfg = FixtureWarehouse.standard().writeAndConfigure(spark, Map.of());
        overwrite(cfg, "accounts", List.of(RowFactory.create("A1", "a", "retail", 10, true, null, null)),
                accountsSchemaWith("onboarded_at", DataTypes.BooleanType));

        assertThatThrownBy(() -> load(cfg)).isInstanceOfSatisfying(JobFailure.class, f -> {
            assertThat(f.exitCode()).isEqualTo(3);
            assertThat(f.getMessage()).contains("Table accounts", "column onboarded_at", "boolean", "readable_type");
        });
    }

    @Test
    void nullKeyStops() {
        AppConfig cfg = FixtureWarehouse.standard()
                .raw("usage_daily", null, d("2024-06-01"), 1, 1L, 1L, 1)
                .writeAndConfigure(spark, Map.of());

        assertThatThrownBy(() -> load(cfg)).isInstanceOfSatisfying(JobFailure.class, f -> {
            assertThat(f.exitCode()).isEqualTo(3);
            assertThat(f.getMessage()).contains("Table usage_daily", "column account_id", "key_not_null");
        });
    }

    /**
     * Null keys counted by row, per column: grouping by the whole key gave one group's count (here 3, the largest group of
     * null account_id rows) instead of the rows'.
     */
    @Test
    void nullKeysAreCountedByRowPerColumn() {
        FixtureWarehouse w = FixtureWarehouse.standard();
        // account_id null in 7 rows over 4 usage dates (one of them null too); usage_date null in 3 rows.
        for (String day : List.of("2024-06-01", "2024-06-01", "2024-06-01", "2024-06-02", "2024-06-02", "2024-06-03")) {
            w.raw("usage_daily", null, d(day), 1, 1L, 1L, 1);
        }
        w.raw("usage_daily", null, null, 1, 1L, 1L, 1);
        w.raw("usage_daily", "A1", null, 1, 1L, 1L, 1);
        w.raw("usage_daily", "A2", null, 1, 1L, 1L, 1);
        AppConfig cfg = w.writeAndConfigure(spark, Map.of());

        assertThatThrownBy(() -> load(cfg)).isInstanceOfSatisfying(JobFailure.class, f -> {
            assertThat(f.exitCode()).isEqualTo(3);
            assertThat(f.getMessage()).isEqualTo("Table usage_daily, column account_id is null or unreadable in 7 row(s), column "
                    + "usage_date in 3 row(s) (rule: key_not_null): every row needs its key [account_id, usage_date].");
        });
    }

    @Test
    void duplicateKeyStopsAndShowsTheKey() {
        AppConfig cfg = FixtureWarehouse.standard().account("A1", "2023-02-01", 5, null).writeAndConfigure(spark, Map.of());

        assertThatThrownBy(() -> load(cfg)).isInstanceOfSatisfying(JobFailure.class, f -> {
            assertThat(f.exitCode()).isEqualTo(3);
            assertThat(f.getMessage()).contains("Table accounts", "account_id", "unique_key", "(A1) x2");
        });
    }

    /**
     * The duplicate check counts rows per hash of the key, then compares the keys of rows that share one: with every key
     * given the same hash, three distinct accounts pass (a collision is no duplicate) and a repeated one still fails.
     */
    @Test
    void keysThatShareAHashAreComparedThemselves() {
        TableReport distinct = InputValidator.checkKeysAndCount(WarehouseContract.ACCOUNTS, checkedAccounts("A1", "A2", "A3"),
                List.of(), keys -> org.apache.spark.sql.functions.lit(7L));
        assertThat(distinct.rows()).isEqualTo(3);
        assertThat(distinct.rejected()).isZero();

        assertThatThrownBy(() -> InputValidator.checkKeysAndCount(WarehouseContract.ACCOUNTS, checkedAccounts("A1", "A2", "A2"),
                List.of(), keys -> org.apache.spark.sql.functions.lit(7L)))
                .isInstanceOfSatisfying(JobFailure.class, f -> assertThat(f.getMessage()).contains("unique_key", "(A2) x2"));
    }

    /** Rows as validation checks them: the key, no rule broken, not excluded. */
    private org.apache.spark.sql.Dataset<Row> checkedAccounts(String... ids) {
        return spark.createDataFrame(java.util.Arrays.stream(ids).map(id -> RowFactory.create(id)).toList(),
                        new StructType().add("account_id", DataTypes.StringType))
                .selectExpr("account_id", "CAST(array() AS array<struct<rule:string,column:string>>) AS _violations",
                        "false AS _excluded");
    }

    @Test
    void everyRowRuleQuarantinesTheRowWithItsReason() {
        FixtureWarehouse f = FixtureWarehouse.standard()
                .raw("accounts", "B1", "neg", "retail", -5, d("2023-01-01"), null, null)
                .raw("accounts", "B2", "tfv", "retail", 5, d("2023-06-01"), d("2023-05-01"), null)
                .raw("accounts", "B3", "future", "retail", 5, d("2024-07-01"), null, null)
                .raw("subscription_periods", "A1", d("2022-01-01"), null, new BigDecimal("-1.00"), 1)
                .raw("subscription_periods", "A2", d("2022-06-01"), d("2022-05-01"), new BigDecimal("1.00"), 1)
                .raw("subscription_periods", "A3", d("2022-06-01"), null, new BigDecimal("1.00"), -2)
                .raw("subscription_periods", "ZZ", d("2022-06-01"), null, new BigDecimal("1.00"), 1)
                .raw("churn_events", "A4", d("2024-04-15"), "bankrupt", null)
                .raw("usage_daily", "A1", d("2023-06-01"), -1, 1L, 1L, 1)
                .raw("support_tickets", "X1", "A1", d("2024-05-01"), d("2024-04-01"), "low", 1, null)
                .raw("support_tickets", "X2", "A1", d("2024-05-01"), null, "p1", 1, null)
                .raw("support_tickets", "X3", "A1", d("2024-05-01"), null, "low", 1, 9)
                .raw("support_tickets", "X4", "A1", d("2024-05-01"), null, null, 1, null)
                .raw("survey_responses", "S1", "A1", d("2024-01-01"), "NPS", 11.0)
                .raw("survey_responses", "S2", "A1", d("2024-01-01"), "CSAT", 0.0)
                .raw("survey_responses", "S3", "A1", d("2024-01-01"), "PULSE", 1.0)
                .raw("invoices", "J1", "A1", d("2023-01-01"), d("2023-01-31"), null, new BigDecimal("-5.00"))
                .raw("invoices", "J2", "A1", d("2023-02-01"), d("2023-01-15"), null, new BigDecimal("5.00"))
                .raw("csm_assessments", "A1", d("2023-03-01"), 6, "committed", 3, false, 3)
                .raw("csm_assessments", "A1", d("2023-04-01"), 3, "maybe", 3, false, 3);
        AppConfig cfg = f.writeAndConfigure(spark, Map.of("validation.max-rejected-share", "1.0"));

        ValidatedWarehouse w = load(cfg);
        List<String> got = w.rejected().collectAsList().stream()
                .map(r -> r.getAs("table_name") + "/" + r.getAs("rule") + "/" + r.getAs("column_name"))
                .sorted().collect(Collectors.toList());
        assertThat(got).containsExactlyInAnyOrder(
                "accounts/negative_value/employee_count",
                "accounts/first_value_before_onboarding/first_value_at",
                "accounts/date_after_run_date/onboarded_at",
                "subscription_periods/negative_mrr/mrr",
                "subscription_periods/period_ends_before_start/end_date",
                "subscription_periods/negative_value/seats",
                "subscription_periods/unknown_account/account_id",
                "churn_events/invalid_churn_type/churn_type",
                "usage_daily/negative_value/active_users",
                "support_tickets/resolved_before_opened/resolved_at",
                "support_tickets/invalid_priority/priority",
                "support_tickets/csat_out_of_scale/csat",
                "support_tickets/null_required_value/priority",
                "survey_responses/score_out_of_scale/score",
                "survey_responses/score_out_of_scale/score",
                "survey_responses/invalid_survey_type/survey_type",
                "invoices/negative_amount/amount",
                "invoices/due_before_issued/due_at",
                "csm_assessments/rating_out_of_scale/relationship_rating",
                "csm_assessments/invalid_renewal_intent/renewal_intent");
        // The row as read is kept, as JSON, with the run that quarantined it.
        Row negMrr = w.rejected().where("rule = 'negative_mrr'").first();
        assertThat((String) negMrr.getAs("row_json")).contains("\"account_id\":\"A1\"", "\"mrr\":-1.00");
        assertThat((String) negMrr.getAs("run_id")).isEqualTo("validation-test");
        // Quarantined rows are not in the clean tables; the clean ones all are.
        assertThat(w.table("accounts").count()).isEqualTo(4);
        assertThat(w.table("subscription_periods").count()).isEqualTo(5);
        assertThat(w.table("survey_responses").count()).isEqualTo(3);
    }

    @Test
    void aValueThatDoesNotParseIsQuarantined() throws Exception {
        AppConfig parquet = FixtureWarehouse.standard().writeAndConfigure(spark, Map.of());
        Path csv = Files.createTempDirectory("csv-invoices");
        Files.writeString(csv.resolve("invoices.csv"), String.join("\n",
                "invoice_id,account_id,issued_at,due_at,paid_at,amount,ignored_extra",
                "C1,A1,2024-06-01,2024-06-30,,1000.00,x",
                "C2,A1,2024-13-45,2024-06-30,,1000.00,x",
                "C3,A1,2024-05-01,2024-05-31,2024-05-20,lots,x",
                "C4,A1,2024-04-01,2024-04-30,2024-04-10,1000.00,x") + "\n");
        AppConfig cfg = parquet.with(Map.of("input.tables.invoices.format", "csv",
                "input.tables.invoices.path", csv.toString(), "validation.max-rejected-share", "1.0"));

        ValidatedWarehouse w = load(cfg);
        assertThat(w.rejected().where("table_name = 'invoices'").collectAsList().stream()
                .map(r -> r.getAs("rule") + "/" + r.getAs("column_name")).sorted().toList())
                .containsExactly("unparseable_value/amount", "unparseable_value/issued_at");
        assertThat(w.table("invoices").count()).isEqualTo(2);
        assertThat(w.table("invoices").schema().apply("amount").dataType()).isEqualTo(WarehouseContract.MONEY);
    }

    @Test
    void tooManyRejectedRowsFailsTheTableAfterReportingThem() {
        AppConfig cfg = FixtureWarehouse.standard()
                .raw("survey_responses", "S1", "A1", d("2024-01-01"), "NPS", 11.0)
                .writeAndConfigure(spark, Map.of());
        ValidatedWarehouse w = load(cfg);

        assertThatThrownBy(() -> w.enforceRejectedShare(cfg.validation().maxRejectedShare(), D.toString()))
                .isInstanceOfSatisfying(JobFailure.class, f -> {
                    assertThat(f.exitCode()).isEqualTo(3);
                    // 1 of 4 survey rows = 25% > 1%
                    assertThat(f.getMessage()).contains("Table survey_responses", "25.00%", "score_out_of_scale",
                            "validation.max-rejected-share 1.00%", "rejected_rows");
                });
    }

    @Test
    void excludePolicyLeavesFutureRowsOutWithoutQuarantine() {
        AppConfig cfg = FixtureWarehouse.standard().withRowsAfterD()
                .writeAndConfigure(spark, Map.of("validation.rows-after-run-date", "exclude"));
        ValidatedWarehouse w = load(cfg);

        assertThat(w.rejected().count()).isZero();
        assertThat(w.reports().stream().filter(r -> r.table().equals("usage_daily")).findFirst().orElseThrow().excludedAfterRunDate())
                .isEqualTo(62);
    }
}
