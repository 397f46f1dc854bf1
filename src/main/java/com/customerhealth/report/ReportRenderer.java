package com.customerhealth.report;

import com.customerhealth.calibrate.CalibrationReport;
import com.customerhealth.calibrate.CalibrationReport.Evaluation;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Renders the leadership weight-calibration report from a {@link CalibrationReport}: a pure function
 * from the record to file contents, no I/O. The same report always gives the same bytes.
 *
 * <ul>
 *   <li>{@code report.html}: one self-contained page (inline CSS, charts as data URIs, no external
 *       references); every number from the JSON sits in an element whose {@code data-key} is its JSON
 *       pointer in report.json, formatted by the rule in {@link ReportFormat};</li>
 *   <li>{@code report.json}: the record as it is;</li>
 *   <li>{@code summary.md}: the headline, the dimension weights, what needs approval and the approve command;</li>
 *   <li>{@code charts/<name>.png}: each chart of the page (720 pixels wide).</li>
 * </ul>
 *
 * <p>Templates: {@code report/report.html.mustache} and {@code report/summary.md.mustache} on the classpath.
 */
public final class ReportRenderer {
    private static final String PROPOSED = "proposed";

    private static final Mustache HTML = new DefaultMustacheFactory("report").compile("report.html.mustache");
    private static final Mustache MARKDOWN = new MarkdownMustacheFactory().compile("summary.md.mustache");

    private ReportRenderer() {
    }

    /**
     * Renders a report.
     *
     * @param r a calibration report; when its status is {@code proposed} it must carry both evaluations,
     *          the fit and the approve command
     * @return file name to content, in this order: "report.html", "report.json", "summary.md", then
     *         "charts/&lt;name&gt;.png" for each chart: weights, and when some weights were judged on the
     *         holdout, tiers, calibration and roc
     */
    /** The report as report.json holds it: what {@code calibration_reports} records for {@code report} to render again. */
    public static String json(CalibrationReport r) {
        return new String(ReportJson.write(r), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A report from its {@link #json} text. */
    public static CalibrationReport fromJson(String json) {
        return ReportJson.read(json);
    }

    public static Map<String, byte[]> render(CalibrationReport r) {
        List<Evaluation> evaluations = evaluations(r);
        List<ReportCharts.Image> charts = ReportCharts.render(r, evaluations);
        Map<String, Object> view = ReportView.build(r, evaluations, charts);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("report.html", execute(HTML, view));
        files.put("report.json", ReportJson.write(r));
        files.put("summary.md", execute(MARKDOWN, view));
        charts.forEach(chart -> files.put(chart.name(), chart.png()));
        return files;
    }

    /**
     * Today's evaluation, then the proposal's when the report proposes weights; none when the snapshots
     * could not judge any weights.
     */
    private static List<Evaluation> evaluations(CalibrationReport r) {
        Objects.requireNonNull(r.data(), "the report has no data window");
        if (!PROPOSED.equals(r.status())) {
            return r.current() == null ? List.of() : List.of(r.current());
        }
        if (r.current() == null || r.proposed() == null || r.fit() == null || r.approveCommand() == null) {
            throw new IllegalArgumentException(
                    "a report with status proposed needs both evaluations, the fit and the approve command");
        }
        return List.of(r.current(), r.proposed());
    }

    private static byte[] execute(Mustache template, Map<String, Object> view) {
        StringWriter out = new StringWriter();
        template.execute(out, view);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Markdown needs no HTML escaping; instead every {@code {{value}}} is made safe for a table cell
     * ({@code |} escaped, line breaks flattened). {@code {{{value}}}} stays verbatim (code blocks).
     */
    private static final class MarkdownMustacheFactory extends DefaultMustacheFactory {
        MarkdownMustacheFactory() {
            super("report");
        }

        @Override
        public void encode(String value, Writer writer) {
            try {
                writer.write(value.replace("|", "\\|").replaceAll("\\s*\\R\\s*", " "));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
