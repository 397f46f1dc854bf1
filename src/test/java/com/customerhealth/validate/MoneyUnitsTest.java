package com.customerhealth.validate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Money in two tables must agree in unit within what billing periods explain: monthly (1) to yearly (1/12). */
class MoneyUnitsTest {

    @Test
    void monthlyQuarterlyAndYearlyBillingAgree() {
        assertThat(MoneyUnits.warning(500, 500)).isEmpty();
        assertThat(MoneyUnits.warning(500, 1_500)).isEmpty();
        assertThat(MoneyUnits.warning(500, 6_000)).isEmpty();
        // The bounds leave room for discounts, taxes and a few big invoices: 4x and 1/24.
        assertThat(MoneyUnits.warning(2_000, 500)).isEmpty();
        assertThat(MoneyUnits.warning(500, 12_000)).isEmpty();
    }

    @Test
    void aFactorOfAHundredEitherWayIsNamed() {
        assertThat(MoneyUnits.warning(50_000, 500)).get().asString()
                .contains("median MRR 50,000.00 is 100.0 times the median invoice 500.00", "is subscription_periods.mrr in cents");
        assertThat(MoneyUnits.warning(5, 500)).get().asString()
                .contains("median MRR 5.00 is 1/100 of the median invoice 500.00", "is invoices.amount in cents");
        assertThat(MoneyUnits.warning(2_001, 500)).isPresent();
    }
}
