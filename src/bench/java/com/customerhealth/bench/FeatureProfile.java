package com.customerhealth.bench;

import com.customerhealth.calibrate.TrainingSet;
import com.customerhealth.config.AppConfig;
import com.customerhealth.contract.FeatureRequest;
import com.customerhealth.features.FeatureStep;
import com.customerhealth.score.ScoringPipeline;
import com.customerhealth.spark.SparkSessions;
import com.customerhealth.validate.ValidatedWarehouse;
import com.customerhealth.validate.WarehouseLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.ExplainMode;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Where the feature step's time goes ({@code jobs/bench.sh --profile-features}): the validated inputs
 * are loaded and staged as Parquet as in the pipeline, then the population alone, each source table's features
 * alone and all features together are each forced to the noop sink and timed, twice (the second run
 * has warm code); the full plan is written out ({@code explain formatted}).
 */
@Command(name = "feature-profile", mixinStandardHelpOptions = true)
public final class FeatureProfile implements Callable<Integer> {
    @Option(names = "--warehouse", required = true)
    Path warehouse;
    @Option(names = "--run-date", required = true)
    LocalDate runDate;
    @Option(names = "--plan-out", required = true, description = "File for the full feature plan (explain formatted).")
    Path planOut;
    @Option(names = "--staging", required = true,
            description = "Folder the validated inputs are staged under as Parquet, as run stages them (input.staging-path).")
    Path staging;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FeatureProfile()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        SparkSession spark = SparkSessions.getOrCreate("customer-health feature profile");
        AppConfig config = AppConfig.load(null, Map.of("input.root", warehouse.toAbsolutePath().toString(), "input.format", "parquet",
                "output.path", "", "output.database", "default", "input.staging-path", staging.toAbsolutePath().toString()));
        List<LocalDate> dates = TrainingSet.Dates.of(runDate, config.calibration()).all();
        Set<FeatureRequest> requests = config.model().featureRequests();
        Set<String> tables = new TreeSet<>(List.of("accounts", "subscription_periods"));
        requests.forEach(r -> tables.add(r.feature().sourceTable()));
        long t0 = System.nanoTime();
        ValidatedWarehouse w = WarehouseLoader.load(spark, config, runDate, "profile", tables);
        System.out.printf(Locale.ROOT, "load + validate (cached): %.1f s%n", (System.nanoTime() - t0) / 1e9);
        Dataset<Row> population = ScoringPipeline.population(w, dates);
        FeatureStep step = new FeatureStep(config.validation().highTicketPriorities());
        Dataset<Row> all = step.compute(w, population, dates, requests);
        Files.writeString(planOut, all.queryExecution().explainString(ExplainMode.fromString("formatted")));
        for (int round = 1; round <= 2; round++) {
            time("population (" + dates.size() + " dates)", population, round);
            for (String source : new TreeSet<>(requests.stream().map(r -> r.feature().sourceTable()).toList())) {
                Set<FeatureRequest> only = new LinkedHashSet<>(requests.stream().filter(r -> r.feature().sourceTable().equals(source)).toList());
                time("features from " + source, step.compute(w, population, dates, only), round);
            }
            time("all features", all, round);
        }
        pairingAlone(w.table("usage_daily"), dates, 90);
        System.out.println("plan: " + planOut);
        w.release();
        spark.stop();
        return 0;
    }

    /**
     * The step every source goes through, alone: each usage row paired with the as-of dates whose 90-day window holds it
     * ({@link FeatureStep#onAsOfDates}, the step's own pairing), counted and its ages summed, so the figure is the read
     * and the pairing without the aggregation per (account, date).
     */
    private static void pairingAlone(Dataset<Row> usage, List<LocalDate> dates, int window) {
        Dataset<Row> paired = FeatureStep.onAsOfDates(usage, "usage_date", dates, window);
        for (int round = 1; round <= 2; round++) {
            long t0 = System.nanoTime();
            Row r = paired.agg(functions.count(functions.lit(1)), functions.sum(functions.col(FeatureStep.AGE))).first();
            System.out.printf(Locale.ROOT, "round %d  pair usage_daily rows with their as-of dates   %7.1f s  (%d rows, age sum %d)%n",
                    round, (System.nanoTime() - t0) / 1e9, r.getLong(0), r.getLong(1));
        }
    }

    private static void time(String what, Dataset<Row> rows, int round) {
        long t0 = System.nanoTime();
        rows.write().format("noop").mode("overwrite").save();
        System.out.printf(Locale.ROOT, "round %d  %-40s %7.1f s%n", round, what, (System.nanoTime() - t0) / 1e9);
    }
}
