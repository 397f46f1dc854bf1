package com.customerhealth;

import com.customerhealth.cli.HealthJobs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.SparkSession;

/**
 * Runs the CLI in this JVM and captures what it prints. Each run has a session of its own on the shared test
 * SparkContext (its SQL settings, such as the commit tag of its jobs, and its current database), as each spark-submit
 * has: two test classes run at once, and their CLI runs must not share a session's settings. Tables and the catalog are
 * shared, so the test reads what the run wrote through {@link TestSpark#session()}.
 */
public record Cli(int code, String out, String err) {
    public static Cli run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        SparkSession.setActiveSession(TestSpark.session().newSession()); // the CLI's getOrCreate takes this thread's active session
        try {
            int code = HealthJobs.execute(new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8), args);
            return new Cli(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            SparkSession.clearActiveSession();
        }
    }
}
