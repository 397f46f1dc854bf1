package com.customerhealth.cli;

import com.customerhealth.Cli;
import com.customerhealth.FixtureWarehouse;
import com.customerhealth.TestSpark;
import com.customerhealth.config.AppConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** A test's own copy of the standard fixture warehouse, the CLI run against it, and what the last run printed. */
final class CliFixture {
    private final SparkSession spark = TestSpark.session();
    private AppConfig fixture;
    private Cli last;

    private CliFixture(AppConfig fixture) {
        this.fixture = fixture;
    }

    /** The standard fixture, written afresh: one per test instance. */
    static CliFixture standard() {
        return new CliFixture(FixtureWarehouse.standard().writeAndConfigure(TestSpark.session(), Map.of()));
    }

    SparkSession spark() {
        return spark;
    }

    AppConfig fixture() {
        return fixture;
    }

    /** Points later runs at another fixture. */
    void use(AppConfig other) {
        fixture = other;
    }

    /** Runs the CLI in this JVM; returns its exit code. */
    int cli(String... args) {
        last = Cli.run(args);
        return last.code();
    }

    String out() {
        return last.out();
    }

    String err() {
        return last.err();
    }

    /** Arguments that point a job at the fixture, plus extra ones. */
    String[] job(String command, String runDate, String... extra) {
        return FixtureWarehouse.jobArgs(fixture, command, runDate, extra);
    }

    Dataset<Row> table(String name) {
        return spark.read().format("delta").load(fixture.output().path() + "/" + name);
    }

    static List<Row> sorted(Dataset<Row> df) {
        return df.orderBy(df.columns()[0], df.columns()[1]).collectAsList();
    }

    /** Rows as JSON strings, sorted: comparable also when they hold maps. */
    static List<Row> sortedJson(Dataset<Row> df) {
        return df.selectExpr("to_json(struct(*)) AS j").orderBy("j").collectAsList();
    }

    static String contentOf(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
