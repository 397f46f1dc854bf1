package com.customerhealth.config;

import com.customerhealth.JobFailure;
import com.typesafe.config.Config;
import java.io.File;

/**
 * Where the output goes (conf {@code output} and {@code report-path}).
 *
 * @param path       root folder of the Delta tables (absolute, or a URI); null: catalog-managed tables
 * @param database   catalog database the tables are registered in; null: not registered
 * @param reportRoot folder of the leadership reports; null when neither report-path nor output.path is set
 * @param localCatalog folder of the local catalog (an embedded Hive metastore, {@code <path>/_catalog}) that keeps the
 *                     tables' names for later sessions; null: the session's catalog as the launcher set it
 */
public record OutputSettings(String path, String database, String reportRoot, String localCatalog) {

    /** The folder of the local catalog under an output folder. */
    public static final String LOCAL_CATALOG_FOLDER = "_catalog";

    public OutputSettings(String path, String database, String reportRoot) {
        this(path, database, reportRoot, null);
    }

    /**
     * The folder the leadership reports are written under: conf {@code report-path}, else
     * {@code <output.path>/reports}. Fails (exit 2) only for the jobs that write a report, when neither is set.
     */
    public String reportPath() {
        if (reportRoot == null) {
            throw JobFailure.badConfig("report-path is empty and output.path is empty (catalog-managed tables): set report-path "
                    + "to the folder or URI the calibration reports go to.", "");
        }
        return reportRoot;
    }

    /** A folder as the jobs use it: a URI as it is, a local path made absolute against the working directory. */
    static String absolute(String path) {
        return path.contains("://") ? path : new File(path).getAbsoluteFile().toPath().normalize().toString();
    }

    static OutputSettings from(Config root) {
        String path = root.hasPath("output.path") ? root.getString("output.path").trim() : "";
        String database = root.hasPath("output.database") ? root.getString("output.database").trim() : "";
        if (path.isEmpty() && database.isEmpty()) {
            throw JobFailure.badConfig("Set output.path (a folder for the Delta tables) or output.database "
                    + "(catalog-managed tables), or both.", "Both are empty.");
        }
        String absolute = path.isEmpty() ? null : absolute(path);
        String reports = root.getString("report-path");
        String reportRoot = !reports.isBlank() ? reports : absolute == null ? null : absolute + "/reports";
        boolean localCatalog = root.getBoolean("output.local-catalog");
        if (localCatalog && absolute == null) {
            throw JobFailure.badConfig("output.local-catalog = true needs output.path: the local catalog lives in "
                    + "<output.path>/" + LOCAL_CATALOG_FOLDER + ". Set output.path, or set output.local-catalog = false.", "");
        }
        // Without a database nothing is registered, so there is nothing for a catalog to keep.
        String catalog = localCatalog && !database.isEmpty() ? absolute + "/" + LOCAL_CATALOG_FOLDER : null;
        return new OutputSettings(absolute, database.isEmpty() ? null : database, reportRoot, catalog);
    }
}
