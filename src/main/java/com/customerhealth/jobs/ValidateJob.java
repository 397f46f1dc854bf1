package com.customerhealth.jobs;

import com.customerhealth.contract.TableSpec;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.io.OutputTable;
import com.customerhealth.validate.ValidatedWarehouse;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code validate --run-date D}: reads every warehouse table, checks it against the input contract and
 * writes its quarantined rows to {@code rejected_rows}; exits 3 when a table breaks a table-level rule or
 * quarantines more than {@code validation.max-rejected-share}. The first task of a day: the jobs after it
 * validate the same way, so it only makes a bad warehouse fail early and visibly.
 */
public final class ValidateJob implements Job {

    @Override
    public String name() {
        return "validate";
    }

    @Override
    public Set<String> inputTables(JobContext ctx) {
        Set<String> tables = new TreeSet<>();
        WarehouseContract.TABLES.stream().map(TableSpec::name).forEach(tables::add);
        return tables;
    }

    @Override
    public List<OutputTable> outputTables() {
        return List.of();
    }

    @Override
    public void run(JobContext ctx, ValidatedWarehouse warehouse) {
        long rejected = warehouse.reports().stream().mapToLong(r -> r.rejected()).sum();
        ctx.out().printf("validate %s: %d tables valid, %,d rows quarantined in %s%n", ctx.runDate(), warehouse.reports().size(),
                rejected, ctx.tables().describe(com.customerhealth.io.OutputTables.REJECTED_ROWS));
    }
}
