package com.customerhealth.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.conv;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;

import com.customerhealth.spark.SparkSessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampType;

/**
 * A checksum of every output table under a folder, for behaviour-preserving changes: run the sample before and
 * after, and the two listings must be equal (jobs/checksums.sh). Each row is hashed as JSON (SHA-256 of all its
 * columns, doubles to their last digit) and the hashes summed, so the checksum does not depend on row order or
 * files; run_id and timestamp columns (when a row was written) and job_runs are left out, as in the IT's
 * OutputComparison. One pass per table, nothing collected but the sums.
 */
public final class TableChecksums {
    private TableChecksums() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: TableChecksums <output folder holding the Delta tables>");
            System.exit(2);
        }
        SparkSession spark = SparkSessions.getOrCreate("customer-health checksums");
        for (String line : checksums(spark, Path.of(args[0]))) {
            System.out.println(line);
        }
        spark.stop();
    }

    /** "table rows checksum" per Delta table directly under {@code root}, by name. */
    public static List<String> checksums(SparkSession spark, Path root) throws IOException {
        List<String> tables;
        try (Stream<Path> children = Files.list(root)) {
            tables = children.filter(p -> Files.isDirectory(p.resolve("_delta_log"))).map(p -> p.getFileName().toString())
                    .filter(name -> !name.equals("job_runs")).sorted().toList();
        }
        List<String> out = new ArrayList<>();
        for (String table : tables) {
            Dataset<Row> rows = spark.read().format("delta").load(root.resolve(table).toString());
            List<Column> kept = new ArrayList<>();
            for (StructField f : rows.schema().fields()) {
                if (!f.name().equals("run_id") && !(f.dataType() instanceof TimestampType)) {
                    kept.add(col(f.name()));
                }
            }
            Column rowHash = conv(substring(sha2(to_json(struct(kept.toArray(Column[]::new))), 256), 1, 15), 16, 10).cast("decimal(38,0)");
            Row r = rows.agg(count(lit(1)), sum(rowHash)).first();
            out.add(String.format("%-28s %10d %s", table, r.getLong(0), r.isNullAt(1) ? "-" : r.getDecimal(1).toPlainString()));
        }
        return out;
    }
}
