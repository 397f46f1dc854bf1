package com.customerhealth.report;

import static java.math.RoundingMode.HALF_UP;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.calibrate.CalibrationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The calibration report's files, checked from the outside: parsed HTML, decoded images, the JSON they cite. */
class ReportRendererTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    private static final Set<String> PERCENT = Set.of("churnRate", "low", "high", "captureLowest10", "dataShare",
            "meanPredicted", "observedRate", "mrrShare", "shareRetainedHealthy", "shareChurned", "retentionRate", "retentionLow",
            "retentionHigh", "oddsChangePer10", "oddsChangeLow", "oddsChangeHigh", "holdoutFlaggedShareToday",
            "holdoutFlaggedShareProposed", "currentMissingShare", "referenceMissingShare");
    private static final Set<String> MONEY = Set.of("mrr", "mrrToday", "mrrProposed", "mrrAtRiskToday", "mrrAtRiskProposed",
            "atRiskMrrToday", "atRiskMrrProposed", "expectedChurnMrrToday", "expectedChurnMrrProposed", "movedMrr",
            "holdoutChurnedMrr", "holdoutFlaggedToday", "holdoutFlaggedProposed");
    private static final Set<String> THREE_DECIMALS = Set.of("rocAuc", "prAuc", "brier", "globalAuc", "ownAuc", "logLoss",
            "calibrationSlope");
    private static final Set<String> SIGNIFICANT = Set.of("regParam", "scoreIntercept", "scoreSlope", "coefficient", "coefficientLow",
            "coefficientHigh");

    private static Map<String, byte[]> full;
    private static Map<String, byte[]> none;
    private static Map<String, byte[]> unjudged;
    private static List<Map<String, byte[]>> all;

    @BeforeAll
    static void render() {
        full = ReportRenderer.render(ReportFixtures.proposed());
        none = ReportRenderer.render(ReportFixtures.noProposal());
        unjudged = ReportRenderer.render(ReportFixtures.unjudged());
        all = List.of(full, none, unjudged);
    }

    @Test
    void theRecordedJsonGivesTheSameReportBack() {
        for (CalibrationReport r : List.of(ReportFixtures.proposed(), ReportFixtures.noProposal(), ReportFixtures.unjudged())) {
            assertThat(ReportRenderer.fromJson(ReportRenderer.json(r))).isEqualTo(r);
        }
    }

    @Test
    void writesTheFilesInOrder() {
        List<String> files = List.of("report.html", "report.json", "summary.md", "charts/weights.png");
        List<String> judged = new ArrayList<>(files);
        judged.addAll(List.of("charts/tiers.png", "charts/calibration.png", "charts/roc.png"));
        assertThat(full.keySet()).containsExactlyElementsOf(judged);
        assertThat(none.keySet()).containsExactlyElementsOf(judged);
        assertThat(unjudged.keySet()).containsExactlyElementsOf(files);
    }

    @Test
    void pageIsSelfContained() {
        for (Map<String, byte[]> files : all) {
            Document page = html(files);
            assertThat(page.select("link")).isEmpty();
            assertThat(page.select("script")).isEmpty();
            for (Element e : page.select("[src], [href]")) {
                for (String attribute : List.of("src", "href")) {
                    assertThat(e.attr(attribute)).doesNotStartWith("http").doesNotStartWith("//");
                }
            }
            assertThat(text(files, "report.html")).doesNotContain("url(").doesNotContain("@import");
        }
    }

    @Test
    void everyImageIsAnEmbeddedPngOfAChartFile() throws IOException {
        for (Map<String, byte[]> files : all) {
            Elements images = html(files).select("img");
            Set<String> shown = new HashSet<>();
            for (Element img : images) {
                String src = img.attr("src");
                assertThat(src).startsWith("data:image/png;base64,");
                byte[] png = Base64.getDecoder().decode(src.substring("data:image/png;base64,".length()));
                assertThat(Arrays.copyOf(png, PNG_SIGNATURE.length)).isEqualTo(PNG_SIGNATURE);
                assertThat(ImageIO.read(new ByteArrayInputStream(png))).isNotNull();
                assertThat(png).isEqualTo(files.get(img.attr("data-chart")));
                shown.add(img.attr("data-chart"));
            }
            Set<String> pngFiles = files.keySet().stream().filter(n -> n.endsWith(".png")).collect(Collectors.toSet());
            assertThat(shown).isEqualTo(pngFiles).hasSize(images.size());
        }
    }

    @Test
    void everyKeyedNumberIsItsJsonValueFormatted() throws IOException {
        for (Map<String, byte[]> files : all) {
            JsonNode json = new ObjectMapper().readTree(files.get("report.json"));
            for (Element e : html(files).select("[data-key]")) {
                String pointer = e.attr("data-key");
                JsonNode value = json.at(pointer);
                assertThat(value.isMissingNode()).as("%s is in report.json", pointer).isFalse();
                assertThat(e.text()).as(pointer).isEqualTo(expectedText(pointer, value).replaceAll("\\s+", " ").trim());
            }
        }
        assertThat(html(full).select("[data-key]")).hasSizeGreaterThan(30);
    }

    @Test
    void formatsAsDocumented() {
        Document page = html(full);
        assertThat(keyed(page, "/proposed/rocAuc")).isEqualTo("0.712");
        assertThat(keyed(page, "/current/tiers/0/churnRate")).isEqualTo("3.2%");
        assertThat(keyed(page, "/weights/0/fitted")).isEqualTo("31.2");
        assertThat(keyed(page, "/weights/3/change")).isEqualTo("+12.7");
        assertThat(keyed(page, "/weights/1/change")).isEqualTo("-7.1");
        assertThat(keyed(page, "/data/trainingRows")).isEqualTo("48,210");
        assertThat(keyed(page, "/fit/intervalLevel")).isEqualTo("90%");
        assertThat(keyed(page, "/runDate")).isEqualTo("2026-09-30");
        assertThat(page.text()).contains("a difference of +0.023");
    }

    @Test
    void highlightsTheMetricThatNeedsApproval() {
        Document page = html(full);
        Elements highlighted = page.select("tr.needs-approval");
        assertThat(highlighted).hasSize(1);
        assertThat(highlighted.first().select("[data-key=/weights/3/metric]").text()).isEqualTo("nps");
        assertThat(highlighted.first().text()).contains("needs explicit approval");
        assertThat(page.select("#approve .warn").text()).contains("--accept-large-changes, which the command above carries")
                .contains("nps");
    }

    @Test
    void explainsFlagsInPlainWords() {
        Document page = html(full);
        assertThat(metricRow(page, 1).text()).contains("the data cannot tell this metric's weight from zero");
        assertThat(metricRow(page, 4).text()).contains("contradicts its expected direction: question the metric")
                .contains("wrong direction").contains("+13% churn odds").contains("sparse_history");
        assertThat(metricRow(page, 4).select("span.flag.contradicts")).hasSize(1);
        assertThat(metricRow(page, 0).text()).contains("Strong evidence it lowers churn");
        assertThat(page.text()).doesNotContain("no_weight_from_data").doesNotContain("interval_includes_zero")
                .doesNotContain("contradicts_expected_direction");
        assertThat(keyed(page, "/weights/2/metric")).isEqualTo(ReportFixtures.TICKETS);
        // Shrinkage's floor is its own column, apart from the evidence.
        assertThat(keyed(page, "/weights/4/fromPrior")).isEqualTo("7.9");
    }

    /**
     * Issue 17: the first screen holds what is proposed, what it changes, the money at stake and the approve box; then
     * the evidence. Every table sits in its own scroll box, so none is wider than the page.
     */
    @Test
    void theFirstScreenLeadsWithTheDecisionAndTheMoney() {
        Document page = html(full);
        Element first = page.body().children().get(1);
        assertThat(first.id()).isEqualTo("decision");
        assertThat(first.select("pre").text()).isEqualTo(ReportFixtures.APPROVE_COMMAND);
        assertThat(first.text()).contains("Proposed: switch the health score to new weights")
                .contains("MRR in the at-risk and critical tiers today 1,379,404 451 accounts")
                .contains("With the proposal 3,336,781 711 accounts")
                .contains("260 accounts change tier, with 1,957,376 of MRR")
                .contains("58.0% of 454,294 churned on the holdout").contains("(41.0%) today")
                .contains("--accept-large-changes because nps (20.0 \u2192 32.7)");
        // Largest MRR first: healthy -> at_risk (1,500,000), then at_risk -> critical (457,376).
        assertThat(first.select("tbody tr")).hasSize(2);
        assertThat(first.select("tbody tr").first().text()).isEqualTo("healthy at_risk 200 1,500,000");
        assertThat(page.select("#money table")).hasSize(3);
        assertThat(keyed(page, "/money/tiers/2/mrrAtRiskProposed")).isEqualTo("311,235");
        assertThat(page.select("table")).isNotEmpty().allSatisfy(t -> assertThat(t.parent().hasClass("wide")).isTrue());
        assertThat(html(none).select("#decision")).isEmpty();
    }

    @Test
    void saysOnTheFirstScreenWhenTheScoresDriftedFromTheTrainingSnapshotsOrASourceBroke() {
        Document page = html(full);
        String alert = page.select("#decision #drift-alert").text();
        assertThat(alert).contains("The scores have moved away from what today's weights were fitted on (nps significant")
                .contains("may be stale, which is what this calibration is for")
                .contains("No account has a value for logins_per_seat on the run date");
        // Worst first: the broken source, then significant, then moderate; the stable health score is not listed.
        Elements rows = page.select("#segments tbody tr:has(td[data-key^='/drift/'])");
        assertThat(rows.eachText()).containsExactly("logins_per_seat training 2025-12-31 \u2014 no_values 100.0% 0.0%",
                "nps training 2025-12-31 0.31 significant 0.0% 0.0%", "open_tickets 90d 2026-07-02 0.12 moderate 2.0% 1.0%");
        assertThat(page.select("#segments tr.drifted").text()).startsWith("nps");
        assertThat(text(full, "summary.md")).contains("**Drift:** the scores moved away from what today's weights were fitted on "
                + "(nps significant against the training snapshots): recalibrate.");
        // Without score_drift (insights has not run) the section says so and the first screen says nothing.
        assertThat(html(none).select("#drift-alert")).isEmpty();
        assertThat(html(none).select("#segments").text()).contains("has not written score_drift");
    }

    @Test
    void highlightsTheSegmentThatFitsBadly() {
        Elements highlighted = html(full).select("#segments tr.fits-badly");
        assertThat(highlighted).hasSize(1);
        assertThat(highlighted.text()).contains("enterprise").contains("fits badly");
    }

    @Test
    void showsTheApproveCommandAndMethodology() {
        Document page = html(full);
        assertThat(page.select("#approve pre").text()).isEqualTo(ReportFixtures.APPROVE_COMMAND);
        assertThat(page.select("#approve").text()).contains("from its next run").contains("retired").contains("health_weights");
        assertThat(page.select("#method").text()).contains("bounded").contains("cross-validation")
                .contains("bootstrap").contains("expert prior").contains("never used to fit");
    }

    @Test
    void noProposalPageSaysWhyAndShowsNoProposedValues() {
        Document page = html(none);
        assertThat(page.select("#answer").text()).contains("Nothing is proposed").contains(ReportFixtures.NO_PROPOSAL_REASON);
        assertThat(page.select("[data-key]").eachAttr("data-key"))
                .noneMatch(k -> k.startsWith("/proposed") || k.matches(".*/(fitted|proposed|change)(Low|High)?$"));
        assertThat(page.select("th").eachText()).noneMatch(t -> t.startsWith("Proposed") || t.equals("Data alone") || t.equals("Change"));
        assertThat(page.select("tr.needs-approval")).isEmpty();
        assertThat(keyed(page, "/current/rocAuc")).isEqualTo("0.689");
        assertThat(page.select("#approve").text()).contains("nothing to approve");
        assertThat(page.select("#cohorts").text()).contains("cohorts job has not produced");
    }

    @Test
    void unjudgedPageSaysSoAndShowsNoQualityFigures() {
        Document page = html(unjudged);
        assertThat(page.select("#answer").text()).contains("Nothing is proposed").contains(ReportFixtures.UNJUDGED_REASON)
                .contains("cannot judge any set of weights");
        assertThat(page.select("img").eachAttr("data-chart")).containsExactly("charts/weights.png");
        assertThat(page.select("#tiers, #quality").text()).contains("No set of weights could be judged");
        assertThat(page.select("#tiers table, #quality table")).isEmpty();
        assertThat(page.select("[data-key]").eachAttr("data-key"))
                .noneMatch(k -> k.startsWith("/current/") || k.startsWith("/proposed") || k.equals("/fit/regParam"));
        assertThat(page.select("#method").text()).contains("Guardrails").doesNotContain("In this run");
        assertThat(text(unjudged, "summary.md")).contains("cannot judge any weights").doesNotContain("ROC AUC");
    }

    @Test
    void summaryHasHeadlineDimensionsApprovalAndCommand() {
        String md = text(full, "summary.md");
        assertThat(md).contains("| product | 45.0 | 41.6 | -3.4 |")
                .contains("| support \\| success | 15.0 | 6.9 | -8.1 |")
                .contains("| relationship | 40.0 | 51.5 | +11.5 |")
                .contains("ROC AUC 0.712 against 0.689")
                .contains("- nps (relationship): 20.0 today, 32.7 proposed (+12.7)")
                .contains("--accept-large-changes")
                .contains(ReportFixtures.APPROVE_COMMAND)
                .doesNotContain("&amp;");
        assertThat(md.lines().count()).isLessThan(40);
        String noProposal = text(none, "summary.md");
        assertThat(noProposal).contains(ReportFixtures.NO_PROPOSAL_REASON).contains("| support | 15.0 | 15.0 |")
                .doesNotContain("Approve");
        assertThat(noProposal.lines().count()).isLessThan(40);
    }

    @Test
    void jsonIsTheRecordWithIsoDates() throws IOException {
        JsonNode json = new ObjectMapper().readTree(full.get("report.json"));
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactlyInAnyOrderElementsOf(Arrays.stream(CalibrationReport.class.getRecordComponents())
                .map(c -> c.getName()).toList());
        assertThat(json.at("/runDate").asText()).isEqualTo("2026-09-30");
        assertThat(json.at("/data/holdoutTo").asText()).isEqualTo("2026-06-30");
        assertThat(text(full, "report.json")).contains("\"runDate\": \"2026-09-30\"");
        assertThat(new ObjectMapper().readTree(none.get("report.json")).at("/proposed").isNull()).isTrue();
    }

    @Test
    void rendersTheSameBytesTwice() {
        for (CalibrationReport report : List.of(ReportFixtures.proposed(), ReportFixtures.noProposal(),
                ReportFixtures.unjudged())) {
            Map<String, byte[]> first = ReportRenderer.render(report);
            Map<String, byte[]> second = ReportRenderer.render(report);
            assertThat(second.keySet()).containsExactlyElementsOf(first.keySet());
            first.forEach((name, bytes) -> assertThat(second.get(name)).as(name).isEqualTo(bytes));
        }
    }

    /**
     * ReportFormat's documented rule, restated here: null as an em dash, text and dates as they are,
     * integers with thousands separators, and decimals by field: rates as percent with 1 decimal, the
     * interval level as a whole percent, MRR in whole units with thousands separators, lift with 2 decimals,
     * AUC-like measures with 3 decimals, the change signed with 1
     * decimal, model coefficients with at most 4 significant digits, weights and scores with 1 decimal.
     */
    private static String expectedText(String pointer, JsonNode value) {
        if (value.isNull()) {
            return "\u2014";
        }
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.isIntegralNumber()) {
            return String.format(Locale.ROOT, "%,d", value.longValue());
        }
        String field = pointer.substring(pointer.lastIndexOf('/') + 1);
        BigDecimal d = value.decimalValue();
        if (PERCENT.contains(field)) {
            return d.movePointRight(2).setScale(1, HALF_UP).toPlainString() + "%";
        }
        if (MONEY.contains(field)) {
            return String.format(Locale.ROOT, "%,d", d.setScale(0, HALF_UP).longValueExact());
        }
        if (field.equals("lift") || field.equals("psi")) {
            return d.setScale(2, HALF_UP).toPlainString();
        }
        if (field.equals("intervalLevel")) {
            return d.movePointRight(2).setScale(0, HALF_UP).toPlainString() + "%";
        }
        if (THREE_DECIMALS.contains(field)) {
            return d.setScale(3, HALF_UP).toPlainString();
        }
        if (SIGNIFICANT.contains(field)) {
            return d.round(new MathContext(4, HALF_UP)).stripTrailingZeros().toPlainString();
        }
        BigDecimal rounded = d.setScale(1, HALF_UP);
        return (field.equals("change") && rounded.signum() > 0 ? "+" : "") + rounded.toPlainString();
    }

    private static String keyed(Document page, String pointer) {
        return page.select("[data-key=" + pointer + "]").first().text();
    }

    private static Element metricRow(Document page, int index) {
        return page.select("[data-key=/weights/" + index + "/metric]").first().closest("tr");
    }

    private static Document html(Map<String, byte[]> files) {
        return Jsoup.parse(text(files, "report.html"));
    }

    private static String text(Map<String, byte[]> files, String name) {
        return new String(files.get(name), UTF_8);
    }
}
