package com.customerhealth.io;

import static com.customerhealth.GeneratedDocs.cell;

import com.customerhealth.GeneratedDocs;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.types.StructField;

/**
 * Renders {@code docs/output-tables.md} from {@link OutputTables}: the same table and column comments the jobs
 * store in each Delta table, so the doc and {@code DESCRIBE TABLE EXTENDED} cannot say different things.
 */
public final class OutputTablesDoc {
    public static final Path FILE = Path.of("docs/output-tables.md");

    private OutputTablesDoc() {
    }

    public static String render() {
        StringBuilder md = new StringBuilder();
        md.append("<!-- Generated from OutputTables (src/main/java/com/customerhealth/io/OutputTables.java) by OutputTablesDoc.\n")
                .append("     Do not edit: change the catalog, then run ").append(GeneratedDocs.COMMAND).append(" -->\n")
                .append("# Output tables\n\n")
                .append("Every Delta table the jobs write, column by column, for the analysts who query them and the engineers who\n")
                .append("schedule the jobs that write them. This page is generated from the code's table catalog, the same text the\n")
                .append("jobs store as table and column comments. Back to the [README](../README.md); how to find and query the\n")
                .append("tables, with example queries: [For analysts](analysts.md); what each `calibration_runs.figure` measures:\n")
                .append("[Calibration](calibration.md#calibration_runs-figures).\n\n")
                .append("All outputs are Delta tables, at `<output.path>/<table>` or, with `output.path = \"\"`, managed by the\n")
                .append("catalog as `<output.database>.<table>`. Each is created, before its first write, from the\n")
                .append("definitions below: the table comment and every column's comment are stored in the Delta table\n")
                .append("(`DESCRIBE TABLE EXTENDED` shows them, in Spark and in any catalog the table is registered in), and\n")
                .append(changeDataFeedTables()).append(" Change Data Feed on\n")
                .append("(`delta.enableChangeDataFeed`), so what a run changed can be read (see [For analysts](analysts.md)). Each write is one Delta commit,\n")
                .append("so a reader sees a table before or after a run, never half of it. Re-running a date replaces\n")
                .append("exactly that date's rows: the same inputs give the same table, never duplicates.\n");
        for (OutputTable t : OutputTables.ALL) {
            md.append('\n').append(table(t));
        }
        return md.toString();
    }

    /** One table's section: heading, comment (with its partition column), and one row per column. */
    static String table(OutputTable t) {
        StringBuilder md = new StringBuilder();
        md.append("## `").append(t.name()).append("`\n\n").append(t.comment());
        t.partitionColumn().ifPresent(p -> md.append(" Partitioned by `").append(p).append("`."));
        md.append("\n\n| column | type | meaning |\n|---|---|---|\n");
        for (StructField f : t.schema().fields()) {
            if (f.getComment().isEmpty()) {
                throw new IllegalStateException(t.name() + "." + f.name() + " has no comment: every output column needs one");
            }
            md.append("| `").append(f.name()).append("` | ").append(f.dataType().simpleString().toUpperCase())
                    .append(" | ").append(cell(f.getComment().get())).append(" |\n");
        }
        return md.toString();
    }

    /** "`a` has", "`a` and `b` have", "`a`, `b` and `c` have". */
    private static String changeDataFeedTables() {
        List<String> names = OutputTables.WITH_CHANGE_DATA_FEED.stream().map(t -> "`" + t.name() + "`").toList();
        if (names.size() == 1) {
            return names.get(0) + " has";
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1) + " have";
    }
}
