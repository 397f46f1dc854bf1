package com.customerhealth.config;

import com.customerhealth.JobFailure;
import com.customerhealth.config.MetricSpec.Scale;
import com.customerhealth.contract.TableSpec;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.contract.Feature;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The typed view of the HOCON configuration: {@code reference.conf} defaults, then the file given
 * with {@code --conf}, then {@code --set key=value} overrides. Parsed eagerly so that every
 * configuration mistake stops the job before Spark starts (exit 2), naming the key.
 */
public final class AppConfig {
    private final Config config;
    private final HealthModel model;

    private AppConfig(Config config) {
        this.config = config;
        this.model = parseModel();
        // Touch every section so a bad key fails now, not half-way through a job.
        for (TableSpec t : WarehouseContract.TABLES) {
            source(t.name());
        }
        validation();
        sizeBands();
        tiers();
        cohorts();
        insights();
        calibration();
        output();
    }

    /** Loads defaults, the optional conf file, then the overrides (later wins). */
    public static AppConfig load(Path confFile, Map<String, String> overrides) {
        try {
            Config layered = ConfigFactory.parseResources(AppConfig.class.getClassLoader(), "reference.conf");
            if (confFile != null) {
                if (!Files.isRegularFile(confFile)) {
                    throw JobFailure.badConfig("Config file " + confFile + " does not exist: pass an existing HOCON file to --conf.",
                            "Looked for " + confFile.toAbsolutePath());
                }
                layered = ConfigFactory.parseFile(confFile.toFile()).withFallback(layered);
            }
            return new AppConfig(overrides(overrides).withFallback(layered).resolve());
        } catch (ConfigException e) {
            throw JobFailure.badConfig("Configuration is invalid: " + e.getMessage() + ". Fix the key in your --conf file or --set.",
                    e.toString());
        }
    }

    /** Defaults only: used by tests and the generator. */
    public static AppConfig defaults() {
        return load(null, Map.of());
    }

    /** The same configuration with more overrides applied on top. */
    public AppConfig with(Map<String, String> overrides) {
        try {
            return new AppConfig(overrides(overrides).withFallback(config).resolve());
        } catch (ConfigException e) {
            throw JobFailure.badConfig("Configuration is invalid: " + e.getMessage(), e.toString());
        }
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

    public Config raw() {
        return config;
    }

    public HealthModel model() {
        return model;
    }

    // ---------------------------------------------------------------- input

    public SourceConfig source(String table) {
        String base = "input.tables." + table;
        if (!config.hasPath(base)) {
            throw JobFailure.badConfig("No source configured for table " + table + ": add " + base + " to your conf.", "");
        }
        Config c = config.getConfig(base);
        SourceConfig.Type type = sourceType(c, base);
        TableSpec spec = WarehouseContract.table(table);
        if (type == SourceConfig.Type.NONE && !spec.optional()) {
            throw JobFailure.badConfig("Table " + table + " is required but " + base + ".type = none: point it at a source.", "");
        }
        Map<String, String> columns = stringMap(c, "columns");
        for (String contractColumn : columns.keySet()) {
            if (!spec.columnNames().contains(contractColumn)) {
                throw JobFailure.badConfig(base + ".columns maps unknown contract column " + contractColumn
                        + ": use one of " + spec.columnNames() + ".", "");
            }
        }
        SourceConfig source = new SourceConfig(table, type,
                str(c, "path"), str(c, "format") == null ? "parquet" : str(c, "format").toLowerCase(Locale.ROOT),
                str(c, "table"), str(c, "url"), str(c, "table"), str(c, "user"), str(c, "password-env"),
                stringMap(c, "options"), columns);
        switch (type) {
            case PATH -> {
                require(source.path(), base + ".path");
                if (!Set.of("delta", "parquet", "csv").contains(source.format())) {
                    throw JobFailure.badConfig(base + ".format = " + source.format() + " is not supported: use delta, parquet or csv.", "");
                }
            }
            case CATALOG -> require(source.catalogName(), base + ".table");
            case JDBC -> {
                require(source.jdbcUrl(), base + ".url");
                require(source.jdbcTable(), base + ".table");
                require(source.jdbcUser(), base + ".user");
                require(source.passwordEnv(), base + ".password-env");
                boolean inOptions = source.options().keySet().stream().anyMatch(k -> k.equalsIgnoreCase("password"));
                if (c.hasPath("password") || inOptions || !SourceConfig.redact(source.jdbcUrl()).equals(source.jdbcUrl())) {
                    String where = c.hasPath("password") ? base + ".password" : inOptions ? base + ".options.password" : base + ".url";
                    throw JobFailure.badConfig(where + " holds a password, which is not allowed: put the password in an "
                            + "environment variable and name it in " + base + ".password-env.", "Secrets never live in config files.");
                }
                if (System.getenv(source.passwordEnv()) == null) {
                    throw JobFailure.badConfig("Environment variable " + source.passwordEnv() + " (" + base
                            + ".password-env) is not set: export it with the JDBC password before running.", "");
                }
            }
            case NONE -> { }
        }
        return source;
    }

    /** Whether validated inputs are persisted (read once per run) - input.persist. */
    public boolean persistInputs() {
        return config.getBoolean("input.persist");
    }

    // ---------------------------------------------------------------- output

    /**
     * Output root (null: catalog-managed tables) and catalog database (null: not registered).
     */
    public record Output(String path, String database) {
    }

    public Output output() {
        String path = config.hasPath("output.path") ? config.getString("output.path").trim() : "";
        String database = config.hasPath("output.database") ? config.getString("output.database").trim() : "";
        if (path.isEmpty() && database.isEmpty()) {
            throw JobFailure.badConfig("Set output.path (a folder for the Delta tables) or output.database "
                    + "(catalog-managed tables), or both.", "Both are empty.");
        }
        String root = path.isEmpty() ? null
                : path.contains("://") ? path : new File(path).getAbsoluteFile().toPath().normalize().toString();
        return new Output(root, database.isEmpty() ? null : database);
    }

    // ---------------------------------------------------------------- validation

    public record ScoreScale(double min, double max) {
    }

    /** Validation settings. */
    public record Validation(double maxRejectedShare, boolean quarantineRowsAfterRunDate,
                             Map<String, ScoreScale> surveyScales, List<String> ticketPriorities,
                             List<String> highTicketPriorities) {
    }

    public Validation validation() {
        double share = config.getDouble("validation.max-rejected-share");
        if (share < 0 || share > 1) {
            throw JobFailure.badConfig("validation.max-rejected-share = " + share + " must be between 0 and 1.", "");
        }
        String policy = config.getString("validation.rows-after-run-date");
        if (!policy.equals("quarantine") && !policy.equals("exclude")) {
            throw JobFailure.badConfig("validation.rows-after-run-date = " + policy + ": use quarantine or exclude.", "");
        }
        Map<String, ScoreScale> scales = new LinkedHashMap<>();
        Config sc = config.getConfig("validation.survey-scales");
        for (String type : List.of("NPS", "CSAT", "CES")) {
            if (!sc.hasPath(type)) {
                throw JobFailure.badConfig("validation.survey-scales." + type + " is missing: give its min and max.", "");
            }
            scales.put(type, new ScoreScale(sc.getDouble(type + ".min"), sc.getDouble(type + ".max")));
        }
        return new Validation(share, policy.equals("quarantine"), scales,
                config.getStringList("validation.ticket-priorities"),
                config.getStringList("validation.high-ticket-priorities"));
    }

    // ---------------------------------------------------------------- segments and tiers

    public record SizeBand(String name, int minEmployees) {
    }

    public List<SizeBand> sizeBands() {
        List<SizeBand> bands = new ArrayList<>();
        for (Config b : config.getConfigList("segments.size-bands")) {
            bands.add(new SizeBand(b.getString("name"), b.getInt("min-employees")));
        }
        bands.sort(Comparator.comparingInt(SizeBand::minEmployees));
        if (bands.isEmpty() || bands.get(0).minEmployees() > 0) {
            throw JobFailure.badConfig("segments.size-bands must start with a band whose min-employees is 0.", "Got " + bands);
        }
        return bands;
    }

    /** Tier bounds; see reference.conf for the exact rule. */
    public record Tiers(double healthyFrom, double needsAttentionAbove, double atRiskFrom) {
    }

    public Tiers tiers() {
        Tiers t = new Tiers(config.getDouble("tiers.healthy-from"), config.getDouble("tiers.needs-attention-above"),
                config.getDouble("tiers.at-risk-from"));
        if (!(t.atRiskFrom() <= t.needsAttentionAbove() && t.needsAttentionAbove() < t.healthyFrom())) {
            throw JobFailure.badConfig("tiers must satisfy at-risk-from <= needs-attention-above < healthy-from.", "Got " + t);
        }
        return t;
    }

    // ---------------------------------------------------------------- cohorts

    /** Settings of the cohorts job (conf {@code cohorts}). */
    public record Cohorts(String cohortGrain, int minCohortSize, int periodMonths, String lapseChurnType,
                          int renewalGraceDays, double grossMargin, int clvChurnWindowMonths, int horizonDays) {
    }

    public Cohorts cohorts() {
        Config c = config.getConfig("cohorts");
        Cohorts out = new Cohorts(c.getString("cohort-grain"), c.getInt("min-cohort-size"), c.getInt("period-months"),
                c.getString("lapse-churn-type"), c.getInt("renewal-grace-days"), c.getDouble("gross-margin"),
                c.getInt("clv-churn-window-months"), c.getInt("horizon-days"));
        if (!out.cohortGrain().equals("month") && !out.cohortGrain().equals("quarter")) {
            throw JobFailure.badConfig("cohorts.cohort-grain = " + out.cohortGrain() + ": use month or quarter.", "");
        }
        if (!out.lapseChurnType().equals("voluntary") && !out.lapseChurnType().equals("involuntary")) {
            throw JobFailure.badConfig("cohorts.lapse-churn-type = " + out.lapseChurnType() + ": use voluntary or involuntary.", "");
        }
        if (out.periodMonths() < 1 || out.clvChurnWindowMonths() < 1 || out.horizonDays() < 1 || out.renewalGraceDays() < 0
                || out.minCohortSize() < 0) {
            throw JobFailure.badConfig("cohorts: period-months, clv-churn-window-months and horizon-days must be above 0, "
                    + "renewal-grace-days and min-cohort-size 0 or more.", "Got " + out);
        }
        if (!(out.grossMargin() > 0 && out.grossMargin() <= 1)) {
            throw JobFailure.badConfig("cohorts.gross-margin = " + out.grossMargin() + " must be in (0, 1].", "");
        }
        return out;
    }

    // ---------------------------------------------------------------- insights

    /** Settings of the insights job (conf {@code insights}). */
    public record Insights(double trendThreshold, int topConcerns, int minGroupSize, Segmentation segments) {
    }

    /** The segment rules (conf {@code insights.segments}). */
    public record Segmentation(double vipTopShare, double potentialMinGrowthRating, double expansionSeatUtilisation,
                               double expansionMrrGrowth) {
    }

    public Insights insights() {
        Config c = config.getConfig("insights");
        Config s = c.getConfig("segments");
        Insights out = new Insights(c.getDouble("trend-threshold"), c.getInt("top-concerns"), c.getInt("min-group-size"),
                new Segmentation(s.getDouble("vip-top-share"), s.getDouble("potential-min-growth-rating"),
                        s.getDouble("expansion-seat-utilisation"), s.getDouble("expansion-mrr-growth")));
        if (!(out.trendThreshold() > 0) || out.topConcerns() < 1 || out.minGroupSize() < 0
                || !(out.segments().vipTopShare() > 0 && out.segments().vipTopShare() < 1)) {
            throw JobFailure.badConfig("insights: trend-threshold must be above 0, top-concerns at least 1, min-group-size 0 or "
                    + "more, segments.vip-top-share in (0, 1).", "Got " + out);
        }
        return out;
    }

    // ---------------------------------------------------------------- calibration

    /** Settings of the calibrate job (conf {@code calibration}); README, "Calibration". */
    public record Calibration(int lookbackMonths, int horizonDays, int holdoutMonths, boolean countInvoluntary,
                              int folds, List<Double> regParams, int bootstrapReplicates, double intervalLevel,
                              double shrinkageK, long minChurnEvents, double maxWeightChange,
                              long segmentMinChurnEvents, double segmentAucGap, long seed, int parallelism) {
    }

    public Calibration calibration() {
        Config c = config.getConfig("calibration");
        Calibration out = new Calibration(c.getInt("lookback-months"), c.getInt("horizon-days"), c.getInt("holdout-months"),
                c.getBoolean("count-involuntary"), c.getInt("folds"), List.copyOf(c.getDoubleList("reg-params")),
                c.getInt("bootstrap-replicates"), c.getDouble("interval-level"), c.getDouble("shrinkage-k"),
                c.getLong("min-churn-events"), c.getDouble("max-weight-change"), c.getLong("segment-min-churn-events"),
                c.getDouble("segment-auc-gap"), c.getLong("seed"), c.getInt("parallelism"));
        if (out.holdoutMonths() < 1 || out.lookbackMonths() <= out.holdoutMonths()) {
            throw JobFailure.badConfig("calibration: holdout-months must be at least 1 and below lookback-months.", "Got " + out);
        }
        if (out.horizonDays() < 1 || out.folds() < 2 || out.bootstrapReplicates() < 2 || out.parallelism() < 1) {
            throw JobFailure.badConfig("calibration: horizon-days and parallelism must be at least 1, folds and "
                    + "bootstrap-replicates at least 2.", "Got " + out);
        }
        if (out.regParams().isEmpty() || out.regParams().stream().anyMatch(r -> !(r >= 0))) {
            throw JobFailure.badConfig("calibration.reg-params needs one or more values, each 0 or more.", "Got " + out.regParams());
        }
        if (!(out.intervalLevel() > 0 && out.intervalLevel() < 1) || !(out.shrinkageK() >= 0) || !(out.maxWeightChange() >= 0)
                || out.minChurnEvents() < 1 || out.segmentMinChurnEvents() < 1 || !(out.segmentAucGap() >= 0)) {
            throw JobFailure.badConfig("calibration: interval-level must be in (0, 1); shrinkage-k, max-weight-change and "
                    + "segment-auc-gap 0 or more; min-churn-events and segment-min-churn-events at least 1.", "Got " + out);
        }
        return out;
    }

    /** The fault-injection point of the fault tests (testing.pause-at), or empty. */
    public FaultPoint faultPoint() {
        String at = config.getString("testing.pause-at").trim();
        String dir = config.getString("testing.signal-dir").trim();
        if (at.isEmpty()) {
            return FaultPoint.NONE;
        }
        if (dir.isEmpty() || !(at.equals("after-read") || at.startsWith("before-write:") || at.startsWith("in-write:"))) {
            throw JobFailure.badConfig("testing.pause-at = " + at + " needs testing.signal-dir and is one of after-read, "
                    + "before-write:<table>, in-write:<table>.", "");
        }
        return new FaultPoint(at, dir);
    }

    /** Folder the leadership reports are written under: conf {@code report-path}, else {@code <output.path>/reports}. */
    public String reportPath() {
        String path = config.getString("report-path");
        if (!path.isBlank()) {
            return path;
        }
        if (output().path() == null) {
            throw JobFailure.badConfig("report-path is empty and output.path is empty (catalog-managed tables): set report-path "
                    + "to the folder or URI the calibration reports go to.", "");
        }
        return output().path() + "/reports";
    }

    // ---------------------------------------------------------------- model

    private HealthModel parseModel() {
        String preset = config.getString("model-preset");
        String base = "models." + preset;
        if (!config.hasPath(base)) {
            throw JobFailure.badConfig("model-preset = " + preset + " names no model: use one of "
                    + config.getObject("models").keySet() + ".", "");
        }
        Config m = config.getConfig(base);
        List<HealthModel.Dimension> dimensions = new ArrayList<>();
        Set<String> metricNames = new HashSet<>();
        for (String dimName : m.getObject("dimensions").keySet()) {
            if (!HealthModel.DIMENSIONS.contains(dimName)) {
                throw JobFailure.badConfig(base + ".dimensions." + dimName + " is not a dimension: use "
                        + HealthModel.DIMENSIONS + ".", "");
            }
        }
        for (String dimName : HealthModel.DIMENSIONS) {
            String dimPath = base + ".dimensions." + dimName;
            if (!config.hasPath(dimPath)) {
                continue;
            }
            Config d = config.getConfig(dimPath);
            double dimWeight = positive(d.getDouble("weight"), dimPath + ".weight");
            List<MetricSpec> metrics = new ArrayList<>();
            List<String> names = new ArrayList<>(d.getObject("metrics").keySet());
            names.sort(Comparator.naturalOrder());
            for (String metricName : names) {
                String mp = dimPath + ".metrics." + metricName;
                if (!metricNames.add(metricName)) {
                    throw JobFailure.badConfig(mp + ": metric name " + metricName + " is used twice; metric names must be unique.", "");
                }
                metrics.add(parseMetric(config.getConfig(mp), mp, metricName, dimName));
            }
            if (metrics.isEmpty()) {
                throw JobFailure.badConfig(dimPath + " needs at least one metric.", "");
            }
            dimensions.add(new HealthModel.Dimension(dimName, dimWeight, List.copyOf(metrics)));
        }
        if (dimensions.isEmpty()) {
            throw JobFailure.badConfig(base + " needs at least one dimension.", "");
        }
        return new HealthModel(preset, List.copyOf(dimensions));
    }

    private static MetricSpec parseMetric(Config c, String path, String name, String dimension) {
        String featureId = c.getString("feature");
        Feature feature = Feature.byId(featureId).orElseThrow(() -> JobFailure.badConfig(
                path + ".feature = " + featureId + " is not in the feature catalog: see README \"Feature catalog\".", ""));
        int window = c.getInt("window-days");
        if (window <= 0) {
            throw JobFailure.badConfig(path + ".window-days must be above 0.", "");
        }
        String scaleType = c.getString("scale.type");
        Scale scale;
        if (scaleType.equals("linear")) {
            double min = c.getDouble("scale.min");
            double max = c.getDouble("scale.max");
            if (!(max > min)) {
                throw JobFailure.badConfig(path + ".scale: max must be above min.", "Got min " + min + ", max " + max);
            }
            scale = Scale.linear(min, max);
        } else if (scaleType.equals("percentile")) {
            scale = Scale.percentile();
        } else {
            throw JobFailure.badConfig(path + ".scale.type = " + scaleType + ": use linear or percentile.", "");
        }
        String direction = c.getString("direction");
        if (!direction.equals("higher-is-better") && !direction.equals("lower-is-better")) {
            throw JobFailure.badConfig(path + ".direction = " + direction + ": use higher-is-better or lower-is-better.", "");
        }
        return new MetricSpec(name, dimension, feature, window, scale, direction.equals("higher-is-better"),
                positive(c.getDouble("weight"), path + ".weight"));
    }

    // ---------------------------------------------------------------- helpers

    private static double positive(double v, String key) {
        if (!(v > 0)) {
            throw JobFailure.badConfig(key + " = " + v + " must be above 0 (remove a metric or dimension to leave it out).", "");
        }
        return v;
    }

    private static void require(String value, String key) {
        if (value == null || value.isBlank()) {
            throw JobFailure.badConfig(key + " is required for this source type: set it in your conf.", "");
        }
    }

    private static String str(Config c, String key) {
        return c.hasPath(key) ? c.getString(key) : null;
    }

    private static Map<String, String> stringMap(Config c, String key) {
        Map<String, String> out = new LinkedHashMap<>();
        if (c.hasPath(key)) {
            for (Map.Entry<String, ConfigValue> e : c.getObject(key).entrySet()) {
                out.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
            }
        }
        return out;
    }

    private static SourceConfig.Type sourceType(Config c, String base) {
        String v = c.hasPath("type") ? c.getString("type") : "path";
        try {
            return SourceConfig.Type.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw JobFailure.badConfig(base + ".type = " + v + " is not one of path, catalog, jdbc, none.", "");
        }
    }
}
