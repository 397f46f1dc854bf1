package com.customerhealth.config;

import com.customerhealth.JobFailure;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The configuration, parsed once: {@code reference.conf} defaults, then the file given with
 * {@code --conf}, then {@code --set key=value} overrides, read into one immutable record per section.
 * Every key is checked first (a key reference.conf does not define, or one named like a secret, is an
 * error: {@link ConfigKeys}), then every section is parsed and validated by {@link #load}, before Spark
 * starts, so every configuration mistake stops the job at once (exit 2), naming the key; after that
 * nothing re-reads the HOCON.
 *
 * @param raw the resolved HOCON, kept for the configuration hash of {@code job_runs}
 */
public record AppConfig(Config raw, InputSettings input, OutputSettings output, ValidationSettings validation,
                        List<SizeBand> sizeBands, Tiers tiers, CohortSettings cohorts, InsightSettings insights,
                        CalibrationSettings calibration, HealthModel model, TestingSettings testing,
                        ActionSettings actions) {

    /** Loads defaults, the optional conf file, then the overrides (later wins). */
    public static AppConfig load(Path confFile, Map<String, String> overrides) {
        try {
            Config layered = reference();
            if (confFile != null) {
                if (!Files.isRegularFile(confFile)) {
                    throw JobFailure.badConfig("Config file " + confFile + " does not exist: pass an existing HOCON file to --conf.",
                            "Looked for " + confFile.toAbsolutePath());
                }
                layered = ConfigFactory.parseFile(confFile.toFile()).withFallback(layered);
            }
            return parse(overrides(overrides).withFallback(layered).resolve());
        } catch (ConfigException e) {
            throw JobFailure.badConfig("Configuration is invalid: " + e.getMessage() + ". Fix the key in your --conf file or --set.",
                    e.toString());
        }
    }

    /** The defaults, unresolved: reference.conf, which also defines which keys exist (ConfigKeys). */
    static Config reference() {
        return ConfigFactory.parseResources(AppConfig.class.getClassLoader(), "reference.conf");
    }

    /** Defaults only: used by tests and the generator. */
    public static AppConfig defaults() {
        return load(null, Map.of());
    }

    /** The same configuration with more overrides applied on top, parsed again. */
    public AppConfig with(Map<String, String> overrides) {
        try {
            return parse(overrides(overrides).withFallback(raw).resolve());
        } catch (ConfigException e) {
            throw JobFailure.badConfig("Configuration is invalid: " + e.getMessage(), e.toString());
        }
    }

    /** The one place every section is read and checked, after the keys themselves. */
    private static AppConfig parse(Config c) {
        ConfigKeys.check(c);
        OutputSettings output = OutputSettings.from(c);
        return new AppConfig(c, InputSettings.from(c, output), output, ValidationSettings.from(c), SizeBand.listFrom(c),
                Tiers.from(c), CohortSettings.from(c), InsightSettings.from(c), CalibrationSettings.from(c), ModelParser.from(c),
                TestingSettings.from(c), ActionSettings.from(c));
    }

    /** The source of one contract table. */
    public SourceConfig source(String table) {
        return input.source(table);
    }

    /** --set overrides as a Config layer. */
    private static Config overrides(Map<String, String> overrides) {
        Config over = ConfigFactory.empty();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            over = over.withValue(e.getKey(), overrideValue(e.getValue()));
        }
        return over;
    }

    private static ConfigValue overrideValue(String raw) {
        String trimmed = raw.trim();
        if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
            return ConfigFactory.parseString("v = " + trimmed).getValue("v");
        }
        // Scalars stay strings; Config converts "0.05" or "true" when read as a number or boolean.
        return ConfigValueFactory.fromAnyRef(raw);
    }
}
