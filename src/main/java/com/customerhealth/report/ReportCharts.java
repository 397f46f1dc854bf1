package com.customerhealth.report;

import com.customerhealth.calibrate.CalibrationReport;
import com.customerhealth.calibrate.CalibrationReport.CurvePoint;
import com.customerhealth.calibrate.CalibrationReport.Evaluation;
import com.customerhealth.calibrate.CalibrationReport.RocPoint;
import com.customerhealth.calibrate.CalibrationReport.TierRow;
import com.customerhealth.calibrate.CalibrationReport.WeightRow;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.internal.chartpart.Annotation;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's PNG charts, drawn with XChart in memory (headless). Sizes, colours, fonts and the
 * number locale are fixed, so the same report gives the same bytes.
 */
final class ReportCharts {
    /** Width of every chart, pixels. */
    static final int WIDTH = 720;
    /** Height of every chart but the weights chart, which grows with the number of metrics. */
    static final int HEIGHT = 420;

    /** Series names of today's and the proposed weights, in that order. */
    static final List<String> SET_NAMES = List.of("Today's weights", "Proposed weights");
    private static final List<Color> SET_COLOURS = List.of(new Color(0x8c8c8c), new Color(0x1f6fb4));
    private static final Color APPROVAL = new Color(0xd9822b);
    private static final Color GUIDE = new Color(0xb0b0b0);
    private static final Font ROW_LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final double BAR = 0.36;

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** One rendered chart: its file name in the output ({@code charts/<name>.png}), PNG bytes, size in pixels, alt text. */
    record Image(String name, byte[] png, int width, int height, String alt) {
    }

    private ReportCharts() {
    }

    /**
     * Draws the report's charts: weights, and when there are evaluations, tier churn, calibration and ROC.
     *
     * @param evaluations today's evaluation, then the proposal's when there is one; empty when the
     *                    snapshots could not judge any weights
     */
    static List<Image> render(CalibrationReport report, List<Evaluation> evaluations) {
        Image weights = weights(report.weights(), evaluations.size() > 1, report.fit());
        if (evaluations.isEmpty()) {
            return List.of(weights);
        }
        return List.of(weights, tiers(evaluations, report.data().horizonDays()), calibration(evaluations), roc(evaluations));
    }

    private static Image weights(List<WeightRow> rows, boolean proposing, CalibrationReport.Fit fit) {
        int n = rows.size();
        int height = Math.max(HEIGHT, 140 + 40 * n);
        XYChart chart = new XYChartBuilder().width(WIDTH).height(height)
                .title("Weight of each metric, points of 100").xAxisTitle("points").build();
        style(chart.getStyler());
        List<String> names = rows.stream().map(WeightRow::metric).toList();
        chart.getStyler().setYAxisTicksVisible(false).setYAxisTitleVisible(false)
                .setPlotGridHorizontalLinesVisible(false)
                .setYAxisMin(-0.6).setYAxisMax(n - 0.4).setXAxisMin(0.0);
        chart.getStyler().setYAxisLeftWidthHint(RowLabels.width(names));
        String interval = (fit == null ? "" : Math.round(fit.intervalLevel() * 100) + "% ") + "interval";
        for (int i = 0; i < n; i++) {
            WeightRow row = rows.get(i);
            double y = n - 1 - i;
            double todayBottom = proposing ? y + 0.02 : y - BAR / 2;
            bar(chart, "today", i, row.current(), todayBottom, SET_NAMES.get(0), SET_COLOURS.get(0));
            if (proposing && row.proposed() != null) {
                proposedBar(chart, i, row, y - 0.02 - BAR, interval);
            }
        }
        chart.addAnnotation(new RowLabels(names));
        return image("weights", chart, height, "Horizontal bars: weight of each metric today"
                + (proposing ? " and proposed, with the " + interval + " of the proposed weight" : ""));
    }

    private static void proposedBar(XYChart chart, int i, WeightRow row, double bottom, String intervalLabel) {
        boolean approval = row.needsApproval();
        String label = approval ? "Needs explicit approval" : SET_NAMES.get(1);
        bar(chart, approval ? "approval" : "proposed", i, row.proposed(), bottom, label,
                approval ? APPROVAL : SET_COLOURS.get(1));
        if (row.proposedLow() != null && row.proposedHigh() != null) {
            whisker(chart, i, row.proposedLow(), row.proposedHigh(), bottom + BAR / 2, intervalLabel);
        }
    }

    /** A horizontal bar from 0 to {@code value}, as a filled rectangle; only the first of its kind is in the legend. */
    private static void bar(XYChart chart, String kind, int i, double value, double bottom, String label, Color colour) {
        XYSeries s = chart.addSeries(kind + i, new double[] {0, value, value, 0},
                new double[] {bottom, bottom, bottom + BAR, bottom + BAR});
        s.setXYSeriesRenderStyle(XYSeriesRenderStyle.PolygonArea).setMarker(SeriesMarkers.NONE);
        s.setLineStyle(SeriesLines.SOLID).setLineColor(colour).setFillColor(colour);
        s.setLabel(label);
        s.setShowInLegend(isFirstLabelled(chart, s));
    }

    /** An interval as a line with end caps, drawn in one stroke: |----|. */
    private static void whisker(XYChart chart, int i, double low, double high, double y, String label) {
        double cap = BAR / 3;
        XYSeries s = chart.addSeries("interval" + i,
                new double[] {low, low, low, high, high, high},
                new double[] {y - cap, y + cap, y, y, y + cap, y - cap});
        s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line).setMarker(SeriesMarkers.NONE);
        s.setLineStyle(new BasicStroke(1.5f)).setLineColor(Color.BLACK);
        s.setLabel(label);
        s.setShowInLegend(isFirstLabelled(chart, s));
    }

    private static boolean isFirstLabelled(XYChart chart, XYSeries series) {
        return chart.getSeriesMap().values().stream()
                .filter(s -> s.getLabel().equals(series.getLabel()))
                .findFirst().orElseThrow() == series;
    }

    private static Image tiers(List<Evaluation> evaluations, int horizonDays) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Churn within " + horizonDays + " days, by health tier")
                .xAxisTitle("health tier").yAxisTitle("accounts that churned (%)").build();
        style(chart.getStyler());
        chart.getStyler().setYAxisDecimalPattern("0.#");
        List<String> tiers = tierNames(evaluations);
        for (int e = 0; e < evaluations.size(); e++) {
            List<Double> rates = new ArrayList<>();
            for (String tier : tiers) {
                rates.add(evaluations.get(e).tiers().stream().filter(t -> t.tier().equals(tier)).findFirst()
                        .map(t -> t.churnRate() * 100).orElse(null));
            }
            chart.addSeries(SET_NAMES.get(e), tiers, rates).setFillColor(SET_COLOURS.get(e));
        }
        return image("tiers", chart, HEIGHT, "Bar chart: share of accounts that churned in each health tier");
    }

    private static List<String> tierNames(List<Evaluation> evaluations) {
        Set<String> names = new LinkedHashSet<>();
        evaluations.forEach(e -> e.tiers().stream().map(TierRow::tier).forEach(names::add));
        return List.copyOf(names);
    }

    private static Image calibration(List<Evaluation> evaluations) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Predicted against observed churn, by tenth of predicted risk")
                .xAxisTitle("predicted churn (%)").yAxisTitle("observed churn (%)").build();
        style(chart.getStyler());
        chart.getStyler().setXAxisDecimalPattern("0.#").setYAxisDecimalPattern("0.#");
        double top = 0;
        for (int e = 0; e < evaluations.size(); e++) {
            List<CurvePoint> points = evaluations.get(e).calibration();
            double[] x = points.stream().mapToDouble(p -> p.meanPredicted() * 100).toArray();
            double[] y = points.stream().mapToDouble(p -> p.observedRate() * 100).toArray();
            curve(chart.addSeries(SET_NAMES.get(e), x, y), SET_COLOURS.get(e), true);
            for (int i = 0; i < x.length; i++) {
                top = Math.max(top, Math.max(x[i], y[i]));
            }
        }
        diagonal(chart, "predicted = observed", Math.max(top, 1.0));
        return image("calibration", chart, HEIGHT, "Line chart: observed churn against predicted churn per tenth");
    }

    private static Image roc(List<Evaluation> evaluations) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Churners flagged against stayers flagged, at every score cut-off")
                .xAxisTitle("share of stayers flagged (false positive rate)")
                .yAxisTitle("share of churners flagged (true positive rate)").build();
        style(chart.getStyler());
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0)
                .setXAxisDecimalPattern("0.0#").setYAxisDecimalPattern("0.0#");
        for (int e = 0; e < evaluations.size(); e++) {
            List<RocPoint> points = evaluations.get(e).roc();
            double[] x = points.stream().mapToDouble(RocPoint::falsePositiveRate).toArray();
            double[] y = points.stream().mapToDouble(RocPoint::truePositiveRate).toArray();
            curve(chart.addSeries(SET_NAMES.get(e), x, y), SET_COLOURS.get(e), false);
        }
        diagonal(chart, "coin toss", 1.0);
        return image("roc", chart, HEIGHT, "ROC curves of the weights against the diagonal of a coin toss");
    }

    private static void curve(XYSeries s, Color colour, boolean markers) {
        s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line).setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        s.setLineStyle(SeriesLines.SOLID).setLineColor(colour);
        s.setMarkerColor(colour);
    }

    private static void diagonal(XYChart chart, String name, double top) {
        XYSeries s = chart.addSeries(name, new double[] {0, top}, new double[] {0, top});
        s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line).setMarker(SeriesMarkers.NONE);
        s.setLineStyle(SeriesLines.DASH_DASH).setLineColor(GUIDE);
    }

    private static void style(AxesChartStyler styler) {
        styler.setLocale(Locale.ROOT);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBorderVisible(false);
        styler.setLegendPosition(LegendPosition.OutsideS).setLegendLayout(LegendLayout.Horizontal);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setMarkerSize(6);
        styler.setAntiAlias(true);
    }

    private static Image image(String name, Chart<?, ?> chart, int height, String alt) {
        try {
            return new Image("charts/" + name + ".png", BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG),
                    WIDTH, height, alt);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw the " + name + " chart", e);
        }
    }

    /**
     * The metric names of the weights chart, right-aligned left of the plot at each bar pair. XChart has no
     * horizontal bar chart, so the bars are rectangles on an XY chart whose y axis carries no labels.
     */
    private static final class RowLabels extends Annotation {
        private static final int GAP = 8;
        private final List<String> names;

        RowLabels(List<String> names) {
            super(false);
            this.names = names;
            this.bounds = new Rectangle2D.Double();
        }

        /** Room the labels need left of the plot, pixels, measured as {@link #paint} will draw them. */
        static int width(List<String> names) {
            Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
            try {
                FontMetrics metrics = g.getFontMetrics(ROW_LABEL_FONT);
                return names.stream().mapToInt(metrics::stringWidth).max().orElse(0) + 3 * GAP;
            } finally {
                g.dispose();
            }
        }

        @Override
        public void paint(Graphics2D g) {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(ROW_LABEL_FONT);
            g.setColor(Color.DARK_GRAY);
            FontMetrics metrics = g.getFontMetrics();
            int right = getXAxisScreenValueForMin() - GAP;
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                int baseline = getYAxisScreenValue(names.size() - 1 - i) + metrics.getAscent() / 2 - 1;
                g.drawString(name, right - metrics.stringWidth(name), baseline);
            }
        }
    }
}
