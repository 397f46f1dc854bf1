package com.customerhealth.validate;

import java.util.Map;

/**
 * What validation found in one table.
 *
 * @param table                contract table
 * @param rows                 rows read
 * @param rejected             rows quarantined to rejected_rows
 * @param excludedAfterRunDate rows left out as not yet known (rows-after-run-date = exclude)
 * @param rejectedByRule       quarantined rows per rule (first rule a row broke)
 */
public record TableReport(String table, long rows, long rejected, long excludedAfterRunDate,
                          Map<String, Long> rejectedByRule) {

    /** Quarantined share of the rows in scope for this run (rows read minus rows excluded). */
    public double rejectedShare() {
        long inScope = rows - excludedAfterRunDate;
        return inScope == 0 ? 0.0 : (double) rejected / inScope;
    }
}
