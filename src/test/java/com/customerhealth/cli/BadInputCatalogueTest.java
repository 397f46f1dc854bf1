package com.customerhealth.cli;

import static com.customerhealth.FixtureWarehouse.d;
import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.FixtureWarehouse;
import com.customerhealth.config.AppConfig;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bad input as a data engineer meets it, end to end through {@code validate}: the exit code, the first line of the
 * error, and what {@code rejected_rows} holds. The row rules one by one are ValidationTest's; here, the catalogue of
 * what a broken load looks like: bad values, a CSV cut short or shifted by a column, rows from the future under
 * both policies, empty tables, and money in the wrong unit.
 */
class BadInputCatalogueTest {
    private final CliFixture run = CliFixture.standard();

    /** Invoices as a CSV file: one good line, then a non-date, a line cut short, a line shifted right by one column. */
    private static String invoicesCsv() throws IOException {
        Path folder = Files.createTempDirectory("bad-invoices");
        Files.writeString(folder.resolve("invoices.csv"), String.join("\n",
                "invoice_id,account_id,issued_at,due_at,paid_at,amount",
                "C1,A1,2024-06-01,2024-06-30,,1000.00",
                "C2,A1,01/05/2024,2024-05-31,,1000.00",
                "C3,A1,2024-04-01,2024-04-30",
                "C4,A1,,2024-03-01,2024-03-31,2024-03-20,1000.00",
                "C5,A1,2024-0") + "\n");
        return folder.toString();
    }

    @Test
    void badRowsAreQuarantinedWithTheirReasonAndTheRunStopsNamingTheTableAndTheRule() throws IOException {
        AppConfig bad = FixtureWarehouse.standard()
                .raw("subscription_periods", "A1", d("2022-01-01"), d("2022-06-30"), new BigDecimal("-10.00"), 5)
                .raw("subscription_periods", "A2", d("2022-06-01"), d("2022-05-01"), new BigDecimal("10.00"), 5)
                .withRowsAfterD()
                .writeAndConfigure(run.spark(), Map.of());
        run.use(bad);
        String csv = invoicesCsv();

        // Default policy: rows after the run date are quarantined too, and subscription_periods, first in contract
        // order of the tables over the threshold, is named with its rules.
        assertThat(run.cli(run.job("validate", "2024-06-30",
                "--set", "input.tables.invoices.format=csv", "--set", "input.tables.invoices.path=" + csv))).isEqualTo(3);
        assertThat(run.err().lines().findFirst().orElseThrow())
                .startsWith("ERROR: Table subscription_periods")
                .contains("negative_mrr", "period_ends_before_start", "date_after_run_date", "validation.rows-after-run-date = exclude");
        assertThat(rejected()).containsExactlyInAnyOrder(
                "subscription_periods/negative_mrr/mrr",
                "subscription_periods/period_ends_before_start/end_date",
                "subscription_periods/date_after_run_date/start_date",
                "usage_daily/date_after_run_date/usage_date x62",
                "support_tickets/date_after_run_date/opened_at",
                "survey_responses/date_after_run_date/responded_at",
                "csm_assessments/date_after_run_date/assessed_at x2",
                // The CSV's four bad lines: a date in another format and a file cut mid-value (issued_at), a line cut
                // short (its amount missing), a line shifted right by an empty field (its amount holds a date).
                "invoices/unparseable_value/issued_at x2",
                "invoices/null_required_value/amount",
                "invoices/unparseable_value/amount");

        // A backfill's policy: the future rows are left out, not quarantined; the bad values still are.
        assertThat(run.cli(run.job("validate", "2024-06-30", "--set", "validation.rows-after-run-date=exclude",
                "--set", "validation.max-rejected-share=1.0",
                "--set", "input.tables.invoices.format=csv", "--set", "input.tables.invoices.path=" + csv))).as(run.err()).isZero();
        assertThat(rejected()).containsExactlyInAnyOrder(
                "subscription_periods/negative_mrr/mrr",
                "subscription_periods/period_ends_before_start/end_date",
                "invoices/unparseable_value/issued_at x2",
                "invoices/null_required_value/amount",
                "invoices/unparseable_value/amount");
        assertThat(run.out()).containsPattern("input usage_daily +[0-9,]+ rows +0 quarantined +62 after run date excluded");
    }

    @Test
    void anEmptyAccountsTableStopsTheRunAndAnEmptyOptionalTableDoesNot() {
        AppConfig noChurn = new FixtureWarehouse().account("A1", "2023-01-01", 10, null)
                .period("A1", "2023-01-01", null, 500, 5)
                .monthlyInvoicesPaidOnTime("A1", "2024-01-01", "2024-06-01", 500)
                .writeAndConfigure(run.spark(), Map.of());
        run.use(noChurn);
        // churn_events (optional) and every other table but three are empty: the warehouse is small, not broken.
        assertThat(run.cli(run.job("validate", "2024-06-30"))).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("input churn_events +0 rows");

        AppConfig noAccounts = new FixtureWarehouse().writeAndConfigure(run.spark(), Map.of());
        run.use(noAccounts);
        assertThat(run.cli(run.job("validate", "2024-06-30"))).isEqualTo(3);
        assertThat(run.err().lines().findFirst().orElseThrow())
                .isEqualTo("ERROR: Table accounts has no rows: every job starts from the accounts. Check that the warehouse load of "
                        + "accounts has landed (and input.tables.accounts points at it), then run again.");
    }

    @Test
    void mrrInCentsPassesEveryRowRuleAndIsCalledOut() {
        // A1 and A2 invoiced 500.00 a month while their MRR reads 50,000 (cents); A3 the same.
        FixtureWarehouse f = new FixtureWarehouse();
        for (String id : List.of("A1", "A2", "A3")) {
            f.account(id, "2023-01-01", 10, null).period(id, "2023-01-01", null, 50_000, 5)
                    .monthlyInvoicesPaidOnTime(id, "2024-01-01", "2024-06-01", 500);
        }
        run.use(f.writeAndConfigure(run.spark(), Map.of()));

        assertThat(run.cli(run.job("validate", "2024-06-30"))).as(run.err()).isZero();
        assertThat(run.out()).contains("WARNING: subscription_periods.mrr and invoices.amount disagree in unit (rule money_units_agree): "
                + "median MRR 50,000.00 is 100.0 times the median invoice 500.00", "is subscription_periods.mrr in cents");
    }

    /** rejected_rows of the run date as table/rule/column, with " xN" when a reason holds several rows. */
    private List<String> rejected() {
        return run.table("rejected_rows").where("run_date = DATE'2024-06-30'")
                .groupBy("table_name", "rule", "column_name").count().collectAsList().stream()
                .map(r -> r.getString(0) + "/" + r.getString(1) + "/" + r.getString(2) + (r.getLong(3) > 1 ? " x" + r.getLong(3) : ""))
                .toList();
    }
}
