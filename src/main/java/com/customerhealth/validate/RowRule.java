package com.customerhealth.validate;

import org.apache.spark.sql.Column;

/**
 * A row-level rule: a row for which {@code violated} is true is quarantined to
 * {@code rejected_rows} with this rule's name and column. A null condition counts as not violated.
 */
public record RowRule(String rule, String column, Column violated) {
}
