package com.customerhealth.config;

import static com.customerhealth.config.ConfigValues.require;
import static com.customerhealth.config.ConfigValues.str;
import static com.customerhealth.config.ConfigValues.stringMap;

import com.customerhealth.JobFailure;
import com.customerhealth.contract.TableSpec;
import com.customerhealth.contract.WarehouseContract;
import com.typesafe.config.Config;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the warehouse is read from (conf {@code input}): one source per contract table, whether the validated inputs
 * are kept for the run so it reads every source once, and where they are staged.
 *
 * @param stagingRoot folder the validated inputs are staged under as Parquet ({@code input.staging-path}, else
 *                    {@code <output.path>/_staging}); null: none (catalog-managed output), a local checkpoint keeps them
 */
public record InputSettings(boolean persist, String stagingRoot, Map<String, SourceConfig> sources) {

    public SourceConfig source(String table) {
        SourceConfig s = sources.get(table);
        if (s == null) {
            throw new IllegalArgumentException("No contract table " + table);
        }
        return s;
    }

    static InputSettings from(Config root, OutputSettings output) {
        Map<String, SourceConfig> sources = new LinkedHashMap<>();
        for (TableSpec t : WarehouseContract.TABLES) {
            sources.put(t.name(), source(root, t));
        }
        String staging = root.getString("input.staging-path").trim();
        String stagingRoot = !staging.isEmpty() ? OutputSettings.absolute(staging)
                : output.path() == null ? null : output.path() + "/_staging";
        return new InputSettings(root.getBoolean("input.persist"), stagingRoot, java.util.Collections.unmodifiableMap(sources));
    }

    private static SourceConfig source(Config root, TableSpec spec) {
        String table = spec.name();
        String base = "input.tables." + table;
        if (!root.hasPath(base)) {
            throw JobFailure.badConfig("No source configured for table " + table + ": add " + base + " to your conf.", "");
        }
        Config c = root.getConfig(base);
        SourceConfig.Type type = sourceType(c, base);
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
                // A password key (here or in options) never gets this far: ConfigKeys refuses keys named like secrets.
                if (!SourceConfig.redact(source.jdbcUrl()).equals(source.jdbcUrl())) {
                    throw JobFailure.badConfig(base + ".url holds a password, which is not allowed: put the password in an "
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

    private static SourceConfig.Type sourceType(Config c, String base) {
        String v = c.hasPath("type") ? c.getString("type") : "path";
        try {
            return SourceConfig.Type.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw JobFailure.badConfig(base + ".type = " + v + " is not one of path, catalog, jdbc, none.", "");
        }
    }
}
