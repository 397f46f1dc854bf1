package com.customerhealth.io;

import static org.apache.spark.sql.functions.col;

import com.customerhealth.JobFailure;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * An output Delta table: name, purpose, schema with a comment on every column (stored in the
 * Delta schema, shown by DESCRIBE TABLE, and documented in docs/output-tables.md, generated from the definitions), and partition column.
 */
public record OutputTable(String name, String comment, StructType schema, Optional<String> partitionColumn) {

    public List<String> columnNames() {
        return Arrays.asList(schema.fieldNames());
    }

    /**
     * Projects rows onto this table's schema: columns in order, cast to the declared types, with the
     * column comments attached. A missing column is a programming error and fails loudly.
     */
    public Dataset<Row> conform(Dataset<Row> rows) {
        List<String> have = Arrays.asList(rows.columns());
        Column[] projection = new Column[schema.fields().length];
        for (int i = 0; i < projection.length; i++) {
            StructField f = schema.fields()[i];
            if (!have.contains(f.name())) {
                throw new JobFailure(1, "Output table " + name + " is missing column " + f.name() + " (a bug: please report it).",
                        "Columns produced: " + have);
            }
            projection[i] = col(f.name()).cast(f.dataType()).as(f.name(), f.metadata());
        }
        return rows.select(projection);
    }
}
