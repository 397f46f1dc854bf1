package com.customerhealth.calibrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.TestSpark;
import com.customerhealth.calibrate.CalibrationReport.Money;
import com.customerhealth.calibrate.CalibrationReport.MoneyRow;
import com.customerhealth.calibrate.CalibrationReport.TierMove;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Money totals by tier, tier move, industry and size band, worked out by hand on four accounts:
 *
 * <pre>
 * account industry size  mrr    today: tier       at risk   proposal: tier  at risk
 * A1      Retail   smb   1000   at_risk            200       critical         300
 * A2      Retail   mid    500   healthy             10       at_risk           60
 * A3      Software smb   2000   critical           800       critical         900
 * A4      Software null   300   needs_attention   null       needs_attention  null
 * </pre>
 */
class MoneyAtStakeTest {
    private static final SparkSession SPARK = TestSpark.session();

    private static Dataset<Row> today() {
        StructType schema = StructType.fromDDL("account_id STRING, industry STRING, size_band STRING, mrr DECIMAL(18,2), "
                + "health_tier STRING, mrr_at_risk DECIMAL(18,2)");
        return SPARK.createDataFrame(List.of(
                RowFactory.create("A1", "Retail", "smb", new BigDecimal("1000.00"), "at_risk", new BigDecimal("200.00")),
                RowFactory.create("A2", "Retail", "mid", new BigDecimal("500.00"), "healthy", new BigDecimal("10.00")),
                RowFactory.create("A3", "Software", "smb", new BigDecimal("2000.00"), "critical", new BigDecimal("800.00")),
                RowFactory.create("A4", "Software", null, new BigDecimal("300.00"), "needs_attention", null)), schema);
    }

    private static Dataset<Row> proposal() {
        StructType schema = StructType.fromDDL("account_id STRING, health_tier STRING, mrr_at_risk DECIMAL(18,2)");
        return SPARK.createDataFrame(List.of(
                RowFactory.create("A1", "critical", new BigDecimal("300.00")),
                RowFactory.create("A2", "at_risk", new BigDecimal("60.00")),
                RowFactory.create("A3", "critical", new BigDecimal("900.00")),
                RowFactory.create("A4", "needs_attention", null)), schema);
    }

    @Test
    void totalsByTierMoveIndustryAndSizeBand() {
        Money m = MoneyAtStake.summarise(MoneyAtStake.paired(today(), proposal()), LocalDate.of(2026, 9, 30), 90);
        assertThat(m.tiers()).containsExactly(
                new MoneyRow("healthy", 1, 500, 10, 0, 0, 0),
                new MoneyRow("needs_attention", 1, 300, 0, 1, 300, 0),
                new MoneyRow("at_risk", 1, 1000, 200, 1, 500, 60),
                new MoneyRow("critical", 1, 2000, 800, 2, 3000, 1200));
        // at_risk + critical: today 1000 + 2000; with the proposal 500 + 3000.
        assertThat(new double[] {m.atRiskAccountsToday(), m.atRiskMrrToday(), m.atRiskAccountsProposed(), m.atRiskMrrProposed()})
                .containsExactly(2, 3000, 3, 3500);
        // Expected churn: 10 + 0 + 200 + 800 today; 0 + 0 + 60 + 1200 with the proposal.
        assertThat(m.expectedChurnMrrToday()).isEqualTo(1010.0);
        assertThat(m.expectedChurnMrrProposed()).isEqualTo(1260.0);
        assertThat(m.movedAccounts()).isEqualTo(2);
        assertThat(m.movedMrr()).isEqualTo(1500.0);
        assertThat(m.moves()).containsExactly(new TierMove("healthy", "at_risk", 1, 500), new TierMove("at_risk", "critical", 1, 1000));
        // By MRR at risk today, largest first: Software 800 + 0, Retail 200 + 10.
        assertThat(m.byIndustry()).containsExactly(new MoneyRow("Software", 2, 2300, 800, 2, 2300, 900),
                new MoneyRow("Retail", 2, 1500, 210, 2, 1500, 360));
        assertThat(m.bySizeBand()).containsExactly(new MoneyRow("smb", 2, 3000, 1000, 2, 3000, 1200),
                new MoneyRow("mid", 1, 500, 10, 1, 500, 60), new MoneyRow("unknown", 1, 300, 0, 1, 300, 0));
        assertThat(m.asOf()).isEqualTo(LocalDate.of(2026, 9, 30));
        assertThat(m.holdoutChurnedMrr()).isNull();
    }
}
