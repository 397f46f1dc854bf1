package com.customerhealth.config;

import java.util.Map;

/**
 * Where one warehouse table is read from (conf {@code input.tables.<table>}).
 *
 * @param table       contract table name
 * @param type        path | catalog | jdbc | none
 * @param path        for path sources
 * @param format      for path sources: delta | parquet | csv
 * @param catalogName for catalog sources: the table name in the session catalog
 * @param jdbcUrl     for jdbc sources
 * @param jdbcTable   for jdbc sources: table or "(subquery) alias"
 * @param jdbcUser    for jdbc sources
 * @param passwordEnv for jdbc sources: NAME of the environment variable holding the password
 * @param options     extra reader options (csv header, jdbc partitionColumn, ...)
 * @param columns     contract column -> warehouse column, where they differ
 */
public record SourceConfig(String table, Type type, String path, String format, String catalogName,
                           String jdbcUrl, String jdbcTable, String jdbcUser, String passwordEnv,
                           Map<String, String> options, Map<String, String> columns) {

    public enum Type { PATH, CATALOG, JDBC, NONE }

    /** A description safe to print: never contains a secret. */
    public String describe() {
        return switch (type) {
            case PATH -> format + " at " + path;
            case CATALOG -> "catalog table " + catalogName;
            case JDBC -> "JDBC " + jdbcTable + " at " + redact(jdbcUrl) + " as user " + jdbcUser;
            case NONE -> "absent (type = none)";
        };
    }

    /**
     * {@code text} with this source's password (the value of its password-env variable) masked: for
     * messages built from a driver's errors, which the program does not control.
     */
    public String mask(String text) {
        String secret = type == Type.JDBC && passwordEnv != null ? System.getenv(passwordEnv) : null;
        return text == null || secret == null || secret.isEmpty() ? text : text.replace(secret, "***");
    }

    /** A JDBC URL with any inline password or user-info secret masked, for messages and logs. */
    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        return url.replaceAll("(?i)((?:password|pwd)\\s*=)[^;&]*", "$1***")
                .replaceAll("//([^/@:]+):[^/@]*@", "//$1:***@");
    }
}
