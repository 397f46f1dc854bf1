package com.customerhealth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.FixtureWarehouse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * account_health_current.is_current_customer: true exactly on the rows of the table's newest score date. A2's contract
 * ends mid-June in this fixture, so A2 is scored on 2024-05-31 and not on 2024-06-30.
 */
class CurrentCustomerFlagTest {
    private final CliFixture run = CliFixture.standard();

    @Test
    void anAccountScoredOnlyOnAnOlderDateIsAFormerCustomerAndABackfillChangesNoFlag() {
        FixtureWarehouse.standard().without("subscription_periods", "A2").period("A2", "2023-01-01", "2024-06-15", 500, 10)
                .write(run.spark(), Path.of(run.fixture().raw().getString("input.root")));
        String[] may = run.job("score", "2024-05-31", "--set", "validation.rows-after-run-date=exclude");

        assertThat(run.cli(may)).as(run.err()).isZero();
        assertThat(flags()).containsExactly("A1 2024-05-31 true", "A2 2024-05-31 true", "A3 2024-05-31 true");

        assertThat(run.cli(run.job("score", "2024-06-30"))).as(run.err()).isZero(); // A2 is not in June's merge: set false
        List<String> june = List.of("A1 2024-06-30 true", "A2 2024-05-31 false", "A3 2024-06-30 true");
        assertThat(flags()).containsExactlyElementsOf(june);

        assertThat(run.cli(may)).as(run.err()).isZero(); // a back-fill of May replaces no newer row and moves no flag
        assertThat(flags()).containsExactlyElementsOf(june);
    }

    private List<String> flags() {
        return run.table("account_health_current").orderBy("account_id")
                .selectExpr("concat_ws(' ', account_id, CAST(score_date AS STRING), CAST(is_current_customer AS STRING))")
                .collectAsList().stream().map(r -> r.getString(0)).toList();
    }
}
