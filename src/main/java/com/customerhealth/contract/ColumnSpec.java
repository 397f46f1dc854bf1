package com.customerhealth.contract;

import org.apache.spark.sql.types.DataType;

/** One column of a warehouse input table: its contract name, Spark type, nullability and meaning. */
public record ColumnSpec(String name, DataType type, boolean nullable, String meaning) {
}
