package com.customerhealth;

import com.customerhealth.config.AppConfig;
import com.customerhealth.contract.TableSpec;
import com.customerhealth.contract.WarehouseContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * A hand-built warehouse, written as Parquet under a temp folder and read through the real
 * reader and validator. {@link #standard()} is the fixture the exact-score tests work by hand.
 */
public final class FixtureWarehouse {
    /** The as-of date the standard fixture is worked for. */
    public static final LocalDate D = LocalDate.of(2024, 6, 30);

    private final Map<String, List<Row>> rows = new LinkedHashMap<>();
    private int ticketSeq;
    private int responseSeq;
    private int invoiceSeq;

    public FixtureWarehouse() {
        for (TableSpec t : WarehouseContract.TABLES) {
            rows.put(t.name(), new ArrayList<>());
        }
    }

    public static Date d(String iso) {
        return Date.valueOf(iso);
    }

    public FixtureWarehouse account(String id, String onboarded, int employees, String csm) {
        rows.get("accounts").add(RowFactory.create(id, "Account " + id, "software", employees, d(onboarded), null, csm));
        return this;
    }

    public FixtureWarehouse period(String id, String start, String end, int mrr, int seats) {
        rows.get("subscription_periods").add(RowFactory.create(id, d(start), end == null ? null : d(end),
                new BigDecimal(mrr).setScale(2), seats));
        return this;
    }

    /** One usage row per day from {@code from} to {@code to} inclusive. */
    public FixtureWarehouse usage(String id, String from, String to, int activeUsers, long sessions) {
        for (LocalDate day = LocalDate.parse(from); !day.isAfter(LocalDate.parse(to)); day = day.plusDays(1)) {
            rows.get("usage_daily").add(RowFactory.create(id, Date.valueOf(day), activeUsers, sessions, 0L, 3));
        }
        return this;
    }

    public FixtureWarehouse ticket(String id, String opened, String resolved, String priority, int contacts) {
        rows.get("support_tickets").add(RowFactory.create("T" + (++ticketSeq), id, d(opened),
                resolved == null ? null : d(resolved), priority, contacts, null));
        return this;
    }

    public FixtureWarehouse survey(String id, String responded, String type, double score) {
        rows.get("survey_responses").add(RowFactory.create("R" + (++responseSeq), id, d(responded), type, score));
        return this;
    }

    public FixtureWarehouse csm(String id, String assessed, String intent) {
        rows.get("csm_assessments").add(RowFactory.create(id, d(assessed), 3, intent, 3, false, 3));
        return this;
    }

    public FixtureWarehouse invoice(String id, String issued, String due, String paid, int amount) {
        rows.get("invoices").add(RowFactory.create("I" + (++invoiceSeq), id, d(issued), d(due),
                paid == null ? null : d(paid), new BigDecimal(amount).setScale(2)));
        return this;
    }

    public FixtureWarehouse churn(String id, String churnedAt, String type) {
        rows.get("churn_events").add(RowFactory.create(id, d(churnedAt), type, null));
        return this;
    }

    /** Removes every row of an account from one table (to rewrite its history in a test). */
    public FixtureWarehouse without(String table, String accountId) {
        int idColumn = WarehouseContract.table(table).columnNames().indexOf("account_id");
        rows.get(table).removeIf(r -> accountId.equals(r.get(idColumn)));
        return this;
    }

    /** Adds a raw row to a table (for validation tests); values in contract column order. */
    public FixtureWarehouse raw(String table, Object... values) {
        rows.get(table).add(RowFactory.create(values));
        return this;
    }

    /** Monthly invoices of {@code amount} issued on the 1st, due on the last day of the month, paid {@code daysBeforeDue} early. */
    public FixtureWarehouse monthlyInvoicesPaidOnTime(String id, String firstMonth, String lastMonth, int amount) {
        for (LocalDate m = LocalDate.parse(firstMonth); !m.isAfter(LocalDate.parse(lastMonth)); m = m.plusMonths(1)) {
            LocalDate due = m.withDayOfMonth(m.lengthOfMonth());
            invoice(id, m.toString(), due.toString(), due.minusDays(5).toString(), amount);
        }
        return this;
    }

    /**
     * The standard fixture, worked by hand for D = 2024-06-30 with the fixture model
     * (src/test/resources/fixture-model.conf). See HealthScoreExactTest for the arithmetic.
     */
    public static FixtureWarehouse standard() {
        FixtureWarehouse f = new FixtureWarehouse()
                .account("A1", "2023-01-01", 250, "csm_01")
                .account("A2", "2023-01-01", 40, null)
                .account("A3", "2024-03-01", 2500, "csm_02")
                .account("A4", "2023-01-01", 10, null);
        // A1: MRR 800 then 1000 from 2024; 8 of 10 seats active, 16 sessions a day; one ticket; NPS 10; committed.
        f.period("A1", "2023-01-01", "2023-12-31", 800, 10).period("A1", "2024-01-01", null, 1000, 10)
                .usage("A1", "2024-06-01", "2024-06-30", 8, 16)
                .ticket("A1", "2024-05-10", "2024-05-11", "low", 1)
                .survey("A1", "2024-03-01", "NPS", 10)
                .csm("A1", "2024-01-15", "neutral").csm("A1", "2024-05-01", "committed")
                .monthlyInvoicesPaidOnTime("A1", "2024-01-01", "2024-06-01", 1000);
        // A2: flat MRR 500; 4 of 10 seats for half the month, 1 session each; four tickets; NPS 3 and 8; apprehensive;
        // of six invoices due in the window 3 on time (Jan, Apr, Jun), 2 late (Feb, Mar), 1 paid only after D (May).
        f.period("A2", "2023-01-01", null, 500, 10)
                .usage("A2", "2024-06-01", "2024-06-15", 4, 4)
                .ticket("A2", "2024-04-02", "2024-04-03", "high", 2).ticket("A2", "2024-05-02", null, "urgent", 1)
                .ticket("A2", "2024-06-02", "2024-06-05", "medium", 1).ticket("A2", "2024-06-20", null, "low", 1)
                .survey("A2", "2024-02-01", "NPS", 3).survey("A2", "2024-04-01", "NPS", 8)
                .csm("A2", "2024-04-15", "apprehensive")
                .invoice("A2", "2024-01-01", "2024-01-31", "2024-01-20", 500)
                .invoice("A2", "2024-02-01", "2024-02-29", "2024-03-05", 500)
                .invoice("A2", "2024-03-01", "2024-03-31", "2024-04-10", 500)
                .invoice("A2", "2024-04-01", "2024-04-30", "2024-04-28", 500)
                .invoice("A2", "2024-05-01", "2024-05-31", "2024-07-15", 500)
                .invoice("A2", "2024-06-01", "2024-06-30", "2024-06-10", 500);
        f.invoice("A2", "2023-12-01", "2023-12-31", "2024-01-05", 500); // due before the 180-day window: ignored
        // A3: new in March 2024, 20 seats, 10 active, 30 sessions a day; no tickets, no surveys, no CSM assessment.
        f.period("A3", "2024-03-01", null, 2000, 20)
                .usage("A3", "2024-06-01", "2024-06-30", 10, 30)
                .monthlyInvoicesPaidOnTime("A3", "2024-03-01", "2024-06-01", 2000);
        // A4: lapsed at the end of March 2024: not a customer on D, so not scored.
        f.period("A4", "2023-01-01", "2024-03-31", 300, 3)
                .usage("A4", "2024-03-01", "2024-03-31", 3, 3)
                .churn("A4", "2024-04-01", "voluntary");
        return f;
    }

    /**
     * Seven accounts onboarded 2024-01-01 whose MRR history covers every movement, January to June
     * 2024 (MrrMovementsTest and CohortMetricsTest work it by hand).
     */
    public static FixtureWarehouse mrrHistory() {
        FixtureWarehouse f = new FixtureWarehouse();
        for (String id : List.of("N1", "E1", "C1", "X1", "R1", "Z1", "Z2")) {
            f.account(id, "2024-01-01", 50, null);
        }
        return f.period("N1", "2024-01-15", null, 100, 1)
                .period("E1", "2024-01-01", "2024-02-29", 100, 2).period("E1", "2024-03-01", null, 150, 3)
                .period("C1", "2024-01-01", "2024-03-31", 200, 4).period("C1", "2024-04-01", null, 120, 4)
                .period("X1", "2024-01-01", "2024-04-10", 300, 6).churn("X1", "2024-04-11", "involuntary")
                .period("R1", "2024-01-01", "2024-02-15", 50, 1).period("R1", "2024-04-01", null, 60, 1)
                .period("Z1", "2024-01-01", "2024-04-30", 80, 5).period("Z1", "2024-05-01", null, 0, 0)
                .period("Z2", "2024-01-01", "2024-04-30", 80, 5).period("Z2", "2024-05-01", null, 40, 0);
    }

    /** Rows dated after D for every table: they must change nothing scored for D. */
    public FixtureWarehouse withRowsAfterD() {
        usage("A1", "2024-07-01", "2024-07-31", 1, 1);
        usage("A2", "2024-07-01", "2024-07-31", 10, 100);
        ticket("A3", "2024-07-01", null, "urgent", 3);
        survey("A1", "2024-07-02", "NPS", 0);
        csm("A1", "2024-07-10", "apprehensive");
        csm("A3", "2024-07-10", "committed");
        invoice("A1", "2024-07-01", "2024-07-31", null, 1000);
        period("A2", "2024-07-01", null, 900, 12);
        return this;
    }

    /** Writes every table as Parquet under {@code root/<table>}. */
    public Path write(SparkSession spark, Path root) {
        for (TableSpec t : WarehouseContract.TABLES) {
            // Every column nullable, as in a real warehouse: catching nulls is the validator's job.
            StructType schema = new StructType();
            for (var f : WarehouseContract.schema(t).fields()) {
                schema = schema.add(f.name(), f.dataType(), true);
            }
            // Rows written before a table gained an optional column (the last ones) are padded with nulls.
            int width = schema.fields().length;
            List<Row> padded = rows.get(t.name()).stream().map(r -> {
                if (r.length() >= width) {
                    return r;
                }
                Object[] values = new Object[width];
                for (int i = 0; i < r.length(); i++) {
                    values[i] = r.get(i);
                }
                return RowFactory.create(values);
            }).toList();
            spark.createDataFrame(padded, schema)
                    .coalesce(1).write().mode("overwrite").parquet(root.resolve(t.name()).toString());
        }
        return root;
    }

    /** Writes the fixture to a fresh temp folder and returns a config that reads it and writes under it. */
    public AppConfig writeAndConfigure(SparkSession spark, Map<String, String> overrides) {
        try {
            Path root = Files.createTempDirectory("fixture-");
            write(spark, root.resolve("warehouse"));
            Map<String, String> all = new HashMap<>();
            all.put("input.root", root.resolve("warehouse").toString());
            all.put("output.path", root.resolve("out").toString());
            all.put("output.database", "");
            all.putAll(overrides);
            return AppConfig.load(fixtureModelConf(), all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The arguments of a CLI job on a fixture {@link #writeAndConfigure} wrote: its input, its output
     * folder, no catalog, the fixture model; then {@code extra}.
     */
    public static String[] jobArgs(AppConfig fixture, String command, String runDate, String... extra) {
        List<String> a = new ArrayList<>(List.of(command, "--run-date", runDate, "--conf", fixtureModelConf().toString(),
                "--set", "input.root=" + fixture.raw().getString("input.root"),
                "--set", "output.path=" + fixture.output().path(),
                "--set", "output.database="));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    /**
     * Weights (points) for the fixture model's metrics (fixture-model.conf) where only renewal_intent and
     * payment_punctuality carry weight: what the weight-version tests propose and approve.
     */
    public static Map<String, Double> points(double renewal, double payment) {
        Map<String, Double> p = new LinkedHashMap<>();
        for (String m : List.of("nps", "renewal_intent", "seat_utilisation", "sessions_rank", "support_burden", "payment_punctuality",
                "mrr_growth_yoy")) {
            p.put(m, 0.0);
        }
        p.put("renewal_intent", renewal);
        p.put("payment_punctuality", payment);
        return p;
    }

    public static Path fixtureModelConf() {
        try {
            return Paths.get(FixtureWarehouse.class.getResource("/fixture-model.conf").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
