package com.customerhealth.io;

import static com.customerhealth.FixtureWarehouse.D;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.JobFailure;
import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import com.customerhealth.contract.TableSpec;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.score.ScoringPipeline;
import com.customerhealth.validate.ValidatedWarehouse;
import com.customerhealth.validate.WarehouseLoader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every input read over JDBC (an in-memory H2 database), the password taken from the environment
 * variable named in conf. A JVM cannot set its own environment, so the test names a variable every
 * process has (PATH) and gives the database that value as its password.
 */
class JdbcSourceTest {
    private static final String URL = "jdbc:h2:mem:warehouse_jdbc_test;DB_CLOSE_DELAY=-1";
    private static final String PASSWORD_ENV = "PATH";
    private static final List<String> ALL_TABLES = WarehouseContract.TABLES.stream().map(TableSpec::name).toList();
    private static SparkSession spark;
    private static AppConfig files;

    @BeforeAll
    static void loadTheFixtureIntoTheDatabase() {
        spark = TestSpark.session();
        files = FixtureWarehouse.standard().writeAndConfigure(spark, Map.of());
        Properties props = new Properties();
        props.setProperty("user", "sa");
        props.setProperty("password", System.getenv(PASSWORD_ENV));
        for (String table : ALL_TABLES) {
            spark.read().parquet(files.source(table).path()).write().mode("overwrite").jdbc(URL, "WH_" + table.toUpperCase(), props);
        }
    }

    private static AppConfig overJdbc(String passwordEnv) {
        Map<String, String> o = new HashMap<>();
        for (String table : ALL_TABLES) {
            String base = "input.tables." + table + ".";
            o.put(base + "type", "jdbc");
            o.put(base + "url", URL);
            o.put(base + "table", "WH_" + table.toUpperCase());
            o.put(base + "user", "sa");
            o.put(base + "password-env", passwordEnv);
        }
        return files.with(o);
    }

    private static List<Row> scores(AppConfig cfg) {
        ValidatedWarehouse w = WarehouseLoader.load(spark, cfg, D, "jdbc", ALL_TABLES);
        return new ScoringPipeline(cfg, cfg.model()).scores(w, List.of(D), "jdbc").orderBy("account_id").collectAsList();
    }

    @Test
    void scoresFromJdbcEqualScoresFromFiles() {
        assertThat(scores(overJdbc(PASSWORD_ENV))).isEqualTo(scores(files)).hasSize(3);
    }

    @Test
    void anUnsetPasswordVariableIsAConfigErrorNamingItBeforeAnythingIsRead() {
        assertThatThrownBy(() -> overJdbc("HEALTH_TEST_NO_SUCH_VARIABLE"))
                .isInstanceOfSatisfying(JobFailure.class, f -> {
                    assertThat(f.exitCode()).isEqualTo(2);
                    assertThat(f.getMessage()).contains("HEALTH_TEST_NO_SUCH_VARIABLE", "input.tables.accounts.password-env");
                });
    }

    @Test
    void aWrongPasswordNamesTheSourceAndNeverPrintsTheSecret() {
        String wrongEnv = System.getenv("HOME") != null ? "HOME" : "USER";
        assertThatThrownBy(() -> WarehouseLoader.load(spark, overJdbc(wrongEnv), D, "jdbc", ALL_TABLES))
                .isInstanceOfSatisfying(JobFailure.class, f -> {
                    assertThat(f.exitCode()).isEqualTo(3);
                    assertThat(f.getMessage()).startsWith("Table accounts cannot be read from JDBC WH_ACCOUNTS at " + URL + " as user sa");
                    assertThat(f.getMessage() + f.details()).doesNotContain(System.getenv(wrongEnv)).doesNotContain(System.getenv(PASSWORD_ENV));
                });
    }
}
