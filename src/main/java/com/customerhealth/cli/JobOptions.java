package com.customerhealth.cli;

import com.customerhealth.config.AppConfig;
import java.time.LocalDate;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options every job takes: the configuration, the run date and the run id. */
public final class JobOptions {
    @Mixin
    ConfigOptions config;

    @Option(names = "--run-date", paramLabel = "YYYY-MM-DD", required = true,
            description = "As-of date of the run. Jobs never use today's date: the same date gives the same output.")
    LocalDate runDate;

    @Option(names = "--run-id", paramLabel = "ID",
            description = "Run identifier written to every output row (default: <command>-<run date>, so re-runs are identical). "
                    + "Airflow users may pass {{ run_id }}.")
    String runId;

    @Option(names = "--dry-run",
            description = "Check the configuration, the arguments and the input contract (sources reachable, columns and types; "
                    + "schemas only, no row read), print what would be read and written, and write nothing.")
    boolean dryRun;

    AppConfig loadConfig() {
        return config.load();
    }

    String runIdFor(String command) {
        return runId != null ? runId : command + "-" + runDate;
    }
}
