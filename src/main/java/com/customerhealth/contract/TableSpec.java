package com.customerhealth.contract;

import java.util.List;
import java.util.Optional;

/**
 * One table of the warehouse input contract.
 *
 * @param name            contract name, also the key under {@code input.tables} in conf
 * @param columns         contract columns, in order
 * @param key             columns that identify a row: never null, never duplicated
 * @param eventDateColumn the date the row became known (point-in-time filter and the
 *                        "after the run date" rule); empty for tables without one
 * @param optional        whether the table may be absent ({@code type = none})
 * @param meaning         one line for docs/input-contract.md and error messages
 */
public record TableSpec(String name, List<ColumnSpec> columns, List<String> key,
                        Optional<String> eventDateColumn, boolean optional, String meaning) {

    public ColumnSpec column(String columnName) {
        return columns.stream().filter(c -> c.name().equals(columnName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + " has no column " + columnName));
    }

    public List<String> columnNames() {
        return columns.stream().map(ColumnSpec::name).toList();
    }
}
