package com.customerhealth.cli;

import com.customerhealth.config.AppConfig;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every job takes. */
public final class JobOptions {
    @Option(names = "--conf", paramLabel = "FILE", description = "HOCON config file layered over the defaults (reference.conf).")
    Path conf;

    @Option(names = "--run-date", paramLabel = "YYYY-MM-DD", required = true,
            description = "As-of date of the run. Jobs never use today's date: the same date gives the same output.")
    LocalDate runDate;

    @Option(names = "--set", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Override one config key, e.g. --set output.path=/data/health --set model-preset=bigcommerce-10. Repeatable.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--run-id", paramLabel = "ID",
            description = "Run identifier written to every output row (default: <command>-<run date>, so re-runs are identical). "
                    + "Airflow users may pass {{ run_id }}.")
    String runId;

    AppConfig loadConfig() {
        return AppConfig.load(conf, overrides);
    }

    String runIdFor(String command) {
        return runId != null ? runId : command + "-" + runDate;
    }
}
