package com.customerhealth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.customerhealth.JobFailure;
import com.customerhealth.config.AppConfig;
import com.customerhealth.config.HealthModel;
import com.customerhealth.config.MetricSpec;
import com.customerhealth.config.SourceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration model: presets, overrides, and errors that name the key. */
class ConfigTest {

    private static void failsWith(Map<String, String> overrides, String... messageParts) {
        assertThatThrownBy(() -> AppConfig.load(null, overrides)).isInstanceOfSatisfying(JobFailure.class, f -> {
            assertThat(f.exitCode()).isEqualTo(2);
            assertThat(f.getMessage()).contains(messageParts);
        });
    }

    @Test
    void theTemplatePresetWeighsRelationshipUsageValue25_25_50() {
        HealthModel m = AppConfig.defaults().model();
        assertThat(m.name()).isEqualTo("template-25-25-50");
        Map<String, Double> byDimension = m.metrics().stream().collect(Collectors.groupingBy(MetricSpec::dimension,
                Collectors.summingDouble(m::effectiveWeight)));
        assertThat(byDimension.get("relationship")).isCloseTo(0.25, within(1e-12));
        assertThat(byDimension.get("usage")).isCloseTo(0.25, within(1e-12));
        assertThat(byDimension.get("value")).isCloseTo(0.50, within(1e-12));
    }

    @Test
    void theBigCommercePresetHasTenMetricsInSeventeenths() {
        HealthModel m = AppConfig.defaults().with(Map.of("model-preset", "bigcommerce-10")).model();
        assertThat(m.metrics()).hasSize(10);
        Map<String, Double> weights = m.metrics().stream().collect(Collectors.toMap(MetricSpec::name, m::effectiveWeight));
        assertThat(weights.get("renewal_intent")).isCloseTo(6 / 17.0, within(1e-12));   // 35.29%
        assertThat(weights.get("csm_relationship")).isCloseTo(2 / 17.0, within(1e-12)); // 11.76%
        assertThat(weights.get("payment_punctuality")).isCloseTo(2 / 17.0, within(1e-12));
        for (String one : new String[] {"nps", "referenceability", "engagement", "platform_gaps", "ecosystem_share", "yoy_growth",
                "growth_potential"}) {
            assertThat(weights.get(one)).as(one).isCloseTo(1 / 17.0, within(1e-12)); // 5.88%
        }
    }

    @Test
    void theWeightsVersionChangesWithAnyWeight() {
        AppConfig base = AppConfig.defaults();
        String changed = base.with(Map.of("models.template-25-25-50.dimensions.value.metrics.mrr_growth_yoy.weight", "2"))
                .model().version();
        assertThat(base.model().version()).startsWith("template-25-25-50@prior-").isNotEqualTo(changed);
        assertThat(AppConfig.defaults().model().version()).isEqualTo(base.model().version());
    }

    @Test
    void overridesReachEverySection() {
        AppConfig c = AppConfig.load(null, Map.of("input.root", "/wh", "output.path", "s3a://bucket/health",
                "validation.max-rejected-share", "0.05", "tiers.healthy-from", "75"));
        assertThat(c.source("usage_daily").path()).isEqualTo("/wh/usage_daily");
        assertThat(c.output().path()).isEqualTo("s3a://bucket/health");
        assertThat(c.validation().maxRejectedShare()).isEqualTo(0.05);
        assertThat(c.tiers().healthyFrom()).isEqualTo(75.0);
    }

    @Test
    void jdbcSourcesTakeThePasswordFromTheEnvironmentOnly() {
        Map<String, String> jdbc = Map.of("input.tables.invoices.type", "jdbc", "input.tables.invoices.url", "jdbc:postgresql://db/wh",
                "input.tables.invoices.table", "billing.invoices", "input.tables.invoices.user", "health",
                "input.tables.invoices.password-env", "PATH");
        SourceConfig s = AppConfig.load(null, jdbc).source("invoices");
        assertThat(s.type()).isEqualTo(SourceConfig.Type.JDBC);
        assertThat(s.describe()).contains("billing.invoices", "jdbc:postgresql://db/wh", "health").doesNotContain(System.getenv("PATH"));

        Map<String, String> withPassword = new java.util.HashMap<>(jdbc);
        withPassword.put("input.tables.invoices.password", "hunter2");
        failsWith(withPassword, "Configuration key input.tables.invoices.password looks like a secret", "input.tables.invoices.password-env");

        Map<String, String> inOptions = new java.util.HashMap<>(jdbc);
        inOptions.put("input.tables.invoices.options.Password", "hunter2");
        failsWith(inOptions, "Configuration key input.tables.invoices.options.Password looks like a secret");

        Map<String, String> inUrl = new java.util.HashMap<>(jdbc);
        inUrl.put("input.tables.invoices.url", "jdbc:h2:tcp://db/wh;USER=sa;PASSWORD=hunter2");
        failsWith(inUrl, "input.tables.invoices.url holds a password");

        Map<String, String> unset = new java.util.HashMap<>(jdbc);
        unset.put("input.tables.invoices.password-env", "HEALTH_TEST_NO_SUCH_VARIABLE");
        failsWith(unset, "Environment variable HEALTH_TEST_NO_SUCH_VARIABLE (input.tables.invoices.password-env) is not set");
    }

    @Test
    void jdbcUrlsAreRedactedInEveryMessage() {
        assertThat(SourceConfig.redact("jdbc:h2:tcp://db/wh;USER=sa;PASSWORD=hunter2")).isEqualTo("jdbc:h2:tcp://db/wh;USER=sa;PASSWORD=***");
        assertThat(SourceConfig.redact("jdbc:postgresql://db:5432/wh?user=a&password=hunter2&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/wh?user=a&password=***&ssl=true");
        assertThat(SourceConfig.redact("jdbc:mysql://admin:hunter2@db/wh")).isEqualTo("jdbc:mysql://admin:***@db/wh");
        assertThat(SourceConfig.redact("jdbc:postgresql://db/wh")).isEqualTo("jdbc:postgresql://db/wh");
    }

    @Test
    void mistakesNameTheKeyAndTheFix() {
        failsWith(Map.of("model-preset", "nope"), "model-preset = nope", "template-25-25-50", "bigcommerce-10");
        failsWith(Map.of("input.tables.accounts.type", "ftp"), "input.tables.accounts.type = ftp");
        failsWith(Map.of("input.tables.accounts.type", "none"), "accounts is required");
        failsWith(Map.of("input.tables.accounts.format", "xlsx"), "input.tables.accounts.format = xlsx");
        failsWith(Map.of("input.tables.accounts.columns.colour", "x"), "unknown contract column colour");
        failsWith(Map.of("actions.drift.bins", "7"), "actions.drift: bins must divide 100");
        failsWith(Map.of("validation.rows-after-run-date", "sometimes"), "validation.rows-after-run-date = sometimes");
        failsWith(Map.of("tiers.at-risk-from", "60"), "tiers must satisfy");
        failsWith(Map.of("models.template-25-25-50.dimensions.usage.metrics.seat_utilisation.feature", "usage.vibes"),
                "usage.vibes is not in the feature catalog");
        failsWith(Map.of("models.template-25-25-50.dimensions.usage.metrics.seat_utilisation.scale.max", "-1"),
                "seat_utilisation.scale: max must be above min");
        failsWith(Map.of("models.template-25-25-50.dimensions.usage.metrics.seat_utilisation.weight", "-2"), "weight = -2.0 must be above 0");
        failsWith(Map.of("models.template-25-25-50.dimensions.value.weight", "0"), "dimensions.value.weight = 0.0 must be above 0");
        failsWith(Map.of("cohorts.cohort-grain", "week"), "cohorts.cohort-grain = week");
        failsWith(Map.of("cohorts.gross-margin", "1.5"), "cohorts.gross-margin = 1.5");
        failsWith(Map.of("cohorts.lapse-churn-type", "sometimes"), "cohorts.lapse-churn-type = sometimes");
        failsWith(Map.of("cohorts.horizon-days", "0"), "horizon-days must be above 0");
        failsWith(Map.of("validation.max-rejected-share", "2"), "max-rejected-share = 2.0 must be between 0 and 1");
    }

    private static final String FIX_KEY = " Correct or remove it in your --conf file or --set; docs/configuration.md lists every key.";

    private static void failsWithExactly(Map<String, String> overrides, String message) {
        assertThatThrownBy(() -> AppConfig.load(null, overrides)).isInstanceOfSatisfying(JobFailure.class, f -> {
            assertThat(f.exitCode()).isEqualTo(2);
            assertThat(f.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void aMisspeltKeyIsAnErrorNamingTheNearestValidKey() {
        failsWithExactly(Map.of("validaton.max-rejected-share", "0.5"),
                "Unknown configuration key validaton.max-rejected-share: did you mean validation.max-rejected-share?" + FIX_KEY);
        failsWithExactly(Map.of("validation.max-rejected-shar", "0.5"),
                "Unknown configuration key validation.max-rejected-shar: did you mean validation.max-rejected-share?" + FIX_KEY);
        // A transposition is one edit (Damerau), so weight is nearer than window-days or feature.
        failsWithExactly(Map.of("models.template-25-25-50.dimensions.usage.metrics.login_frequency.wieght", "5"),
                "Unknown configuration key models.template-25-25-50.dimensions.usage.metrics.login_frequency.wieght: did you mean "
                        + "models.template-25-25-50.dimensions.usage.metrics.login_frequency.weight?" + FIX_KEY);
        failsWithExactly(Map.of("models.template-25-25-50.dimensions.usage.metrics.login_frequency.scale.mxa", "5"),
                "Unknown configuration key models.template-25-25-50.dimensions.usage.metrics.login_frequency.scale.mxa: did you mean "
                        + "models.template-25-25-50.dimensions.usage.metrics.login_frequency.scale.max?" + FIX_KEY);
        failsWithExactly(Map.of("models.template-25-25-50.dimensions.usage.wieght", "5"),
                "Unknown configuration key models.template-25-25-50.dimensions.usage.wieght: did you mean "
                        + "models.template-25-25-50.dimensions.usage.weight?" + FIX_KEY);
        failsWithExactly(Map.of("models.my-model.descripton", "mine"),
                "Unknown configuration key models.my-model.descripton: did you mean models.my-model.description?" + FIX_KEY);
        // input.tables holds the contract's tables and no other.
        failsWithExactly(Map.of("input.tables.acounts.path", "/wh/accounts"),
                "Unknown configuration key input.tables.acounts.path: did you mean input.tables.accounts.path?" + FIX_KEY);
        failsWithExactly(Map.of("input.tables.invoices.passwrd-env", "DB_PASSWORD"),
                "Unknown configuration key input.tables.invoices.passwrd-env: did you mean input.tables.invoices.password-env?" + FIX_KEY);
        // Inside a list of objects.
        failsWithExactly(Map.of("segments.size-bands", "[{name = smb, min-employes = 0}]"),
                "Unknown configuration key segments.size-bands[0].min-employes: did you mean segments.size-bands[0].min-employees?" + FIX_KEY);
        // Nothing near: the valid keys instead of a guess.
        failsWithExactly(Map.of("output.colour", "blue"),
                "Unknown configuration key output.colour: output has no key colour (its keys: database, local-catalog, path)." + FIX_KEY);
        failsWithExactly(Map.of("tiers.healthy-from.max", "1"),
                "Unknown configuration key tiers.healthy-from.max: tiers.healthy-from takes a value, not keys." + FIX_KEY);
    }

    @Test
    void aMisspeltKeyInAConfFileIsAnErrorTooAndEveryOneIsListed(@TempDir Path dir) throws IOException {
        Path conf = Files.writeString(dir.resolve("typos.conf"), "validation { max-rejected-shar = 0.5 }\ncohorts.horizon-dayz = 30\n");
        assertThatThrownBy(() -> AppConfig.load(conf, Map.of())).isInstanceOfSatisfying(JobFailure.class, f -> {
            assertThat(f.exitCode()).isEqualTo(2);
            assertThat(f.getMessage()).isEqualTo("2 unknown configuration keys, the first cohorts.horizon-dayz: did you mean "
                    + "cohorts.horizon-days? Correct or remove them in your --conf file or --set; docs/configuration.md lists every key.");
            assertThat(f.details()).startsWith("cohorts.horizon-dayz: did you mean cohorts.horizon-days?\n"
                    + "validation.max-rejected-shar: did you mean validation.max-rejected-share?\n");
        });
    }

    @Test
    void keysThatAreFreeByDesignStayFree() {
        Map<String, String> o = new HashMap<>();
        o.put("input.tables.usage_daily.options.mergeSchema", "true");           // a reader option: Spark's name, not ours
        o.put("input.tables.usage_daily.options.\"spark.sql.x\"", "1");
        o.put("input.tables.usage_daily.columns.usage_date", "day");              // a column mapping
        String metric = "models.my-model.dimensions.usage.metrics.logins.";        // a new preset with a new metric name
        o.put("models.my-model.description", "Logins only.");
        o.put("models.my-model.dimensions.usage.weight", "1");
        o.put(metric + "feature", "usage.active_days_share");
        o.put(metric + "window-days", "30");
        o.put(metric + "scale", "{type = percentile}");
        o.put(metric + "direction", "higher-is-better");
        o.put(metric + "weight", "1");
        o.put("model-preset", "my-model");
        AppConfig c = AppConfig.load(null, o);
        assertThat(c.source("usage_daily").options()).containsEntry("mergeSchema", "true").containsEntry("spark.sql.x", "1");
        assertThat(c.source("usage_daily").columns()).containsEntry("usage_date", "day");
        assertThat(c.model().metrics()).extracting(MetricSpec::name).containsExactly("logins");
    }

    @Test
    void aKeyNamedLikeASecretIsRefusedAnywhereAndItsValueNeverShown() {
        List<String> keys = List.of("input.tables.usage_daily.options.password", "input.tables.usage_daily.options.Password",
                "input.tables.accounts.options.passwd", "input.tables.accounts.options.pwd", "input.tables.accounts.options.apiKey",
                "input.tables.accounts.options.api_key", "input.tables.accounts.options.api-key",
                "input.tables.accounts.options.\"fs.s3a.access.key\"", "input.tables.accounts.options.fs.s3a.secret.key",
                "input.tables.accounts.options.private-key", "input.tables.accounts.options.sslpassword",
                "input.tables.accounts.credentials", "output.token", "secret", "models.template-25-25-50.Auth_Token");
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            String value = "s3cr3t-" + i + "-hunter2";
            assertThatThrownBy(() -> AppConfig.load(null, Map.of(key, value))).as(key).isInstanceOfSatisfying(JobFailure.class, f -> {
                assertThat(f.exitCode()).isEqualTo(2);
                assertThat(f.getMessage()).startsWith("Configuration key " + key + " looks like a secret").contains("environment variable");
                assertThat(f.getMessage() + f.details()).doesNotContain(value).doesNotContain("hunter2");
            });
        }
        failsWithExactly(Map.of("input.tables.invoices.options.token", "hunter2"), "Configuration key input.tables.invoices.options.token "
                + "looks like a secret, and secrets never go in configuration: remove it and keep the secret in an environment "
                + "variable (for a JDBC password, name the variable in input.tables.invoices.password-env).");
        failsWithExactly(Map.of("output.api-key", "hunter2"), "Configuration key output.api-key looks like a secret, and secrets never "
                + "go in configuration: remove it and keep the secret in an environment variable.");
    }

    @Test
    void churnEventsMayBeAbsent() {
        AppConfig c = AppConfig.load(null, Map.of("input.tables.churn_events.type", "none"));
        assertThat(c.source("churn_events").type()).isEqualTo(SourceConfig.Type.NONE);
    }
}
