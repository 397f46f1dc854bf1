package com.customerhealth.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.Locale;

/**
 * The report's one formatting rule. Every number the HTML and the Markdown show from the report's
 * JSON is formatted here, chosen by the JSON field it comes from (the last token of its JSON
 * pointer), so a reader can parse the text back and compare it to the JSON value within the rounding:
 *
 * <table>
 *   <caption>Formats by field</caption>
 *   <tr><th>JSON value</th><th>shown as</th><th>example</th></tr>
 *   <tr><td>integer (counts, days, folds)</td><td>thousands separators</td><td>{@code 12,345}</td></tr>
 *   <tr><td>rates and shares: {@code churnRate low high captureLowest10 dataShare meanPredicted
 *       observedRate mrrShare shareRetainedHealthy shareChurned retentionRate retentionLow retentionHigh
 *       currentMissingShare referenceMissingShare}</td>
 *       <td>percent, 1 decimal</td><td>{@code 8.3%}</td></tr>
 *   <tr><td>money: {@code mrr mrrToday mrrProposed mrrAtRiskToday mrrAtRiskProposed atRiskMrrToday atRiskMrrProposed
 *       expectedChurnMrrToday expectedChurnMrrProposed movedMrr holdoutChurnedMrr holdoutFlaggedToday holdoutFlaggedProposed}</td>
 *       <td>whole units with thousands separators</td><td>{@code 412,346}</td></tr>
 *   <tr><td>{@code oddsChangePer10 oddsChangeLow oddsChangeHigh}</td><td>percent, 1 decimal</td><td>{@code -23.4%}</td></tr>
 *   <tr><td>{@code lift psi}</td><td>2 decimals</td><td>{@code 2.33}</td></tr>
 *   <tr><td>{@code intervalLevel}</td><td>percent, no decimals</td><td>{@code 90%}</td></tr>
 *   <tr><td>{@code rocAuc prAuc brier globalAuc ownAuc logLoss}</td><td>3 decimals</td>
 *       <td>{@code 0.712}</td></tr>
 *   <tr><td>points: {@code prior current fitted fittedLow fittedHigh proposed proposedLow proposedHigh
 *       maxWeightChange shrinkageK meanScoreChurned meanScoreStayed}</td><td>1 decimal</td>
 *       <td>{@code 12.4}</td></tr>
 *   <tr><td>{@code change}</td><td>1 decimal with its sign ({@code +} above zero, none at zero)</td>
 *       <td>{@code +3.2}, {@code -0.4}, {@code 0.0}</td></tr>
 *   <tr><td>{@code regParam scoreIntercept scoreSlope}</td><td>at most 4 significant digits,
 *       no trailing zeros</td><td>{@code 0.0001}, {@code -2.346}</td></tr>
 *   <tr><td>text and dates</td><td>as in the JSON (dates ISO)</td><td>{@code 2026-09-30}</td></tr>
 *   <tr><td>null</td><td>an em dash</td><td>{@code —}</td></tr>
 * </table>
 *
 * <p>Rounding is half up on the decimal value Java prints for the double ({@link BigDecimal#valueOf(double)});
 * NaN and infinities show as {@code n/a}. Nothing depends on the default locale.
 */
final class ReportFormat {
    /** What a null value shows as. */
    static final String NONE = "\u2014";
    /** What NaN or an infinite value shows as. */
    static final String NOT_A_NUMBER = "n/a";

    private ReportFormat() {
    }

    /**
     * Formats one JSON value for display.
     *
     * @param pointer the value's JSON pointer in report.json; its last token picks the format of a decimal
     * @param value   a Long, Integer, Double, String, LocalDate or null
     * @return the text the report shows
     */
    static String format(String pointer, Object value) {
        if (value == null) {
            return NONE;
        }
        if (value instanceof Long || value instanceof Integer) {
            return count(((Number) value).longValue());
        }
        if (value instanceof Double d) {
            return decimal(field(pointer), d);
        }
        if (value instanceof String || value instanceof LocalDate) {
            return value.toString();
        }
        throw new IllegalArgumentException("no format for " + value.getClass().getSimpleName() + " at " + pointer);
    }

    /** A count with thousands separators: {@code 12,345}. */
    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A fraction as percent with 1 decimal: {@code 0.0834 -> 8.3%}. */
    private static String percent(double fraction) {
        return finite(fraction) ? fixed(BigDecimal.valueOf(fraction).movePointRight(2), 1) + "%" : NOT_A_NUMBER;
    }

    /**
     * A difference of two values as the reader sees them: both rounded to {@code decimals}, then
     * subtracted, with its sign ({@code +0.023}); so the difference always matches the two shown values.
     */
    static String difference(double to, double from, int decimals) {
        if (!finite(to) || !finite(from)) {
            return NOT_A_NUMBER;
        }
        BigDecimal diff = round(BigDecimal.valueOf(to), decimals).subtract(round(BigDecimal.valueOf(from), decimals));
        return (diff.signum() > 0 ? "+" : "") + diff.toPlainString();
    }

    private static String decimal(String field, double d) {
        if (!finite(d)) {
            return NOT_A_NUMBER;
        }
        BigDecimal v = BigDecimal.valueOf(d);
        return switch (field) {
            case "churnRate", "low", "high", "captureLowest10", "dataShare", "meanPredicted", "observedRate", "mrrShare",
                    "shareRetainedHealthy", "shareChurned", "retentionRate", "retentionLow", "retentionHigh",
                    "oddsChangePer10", "oddsChangeLow", "oddsChangeHigh", "currentMissingShare", "referenceMissingShare" -> percent(d);
            case "mrr", "mrrToday", "mrrProposed", "mrrAtRiskToday", "mrrAtRiskProposed", "atRiskMrrToday", "atRiskMrrProposed",
                    "expectedChurnMrrToday", "expectedChurnMrrProposed", "movedMrr", "holdoutChurnedMrr", "holdoutFlaggedToday",
                    "holdoutFlaggedProposed" -> String.format(Locale.ROOT, "%,d", v.setScale(0, RoundingMode.HALF_UP).longValueExact());
            case "lift", "psi" -> fixed(v, 2);
            case "intervalLevel" -> fixed(v.movePointRight(2), 0) + "%";
            case "rocAuc", "prAuc", "brier", "globalAuc", "ownAuc", "logLoss", "calibrationSlope" -> fixed(v, 3);
            case "prior", "current", "fitted", "fittedLow", "fittedHigh", "proposed", "proposedLow", "proposedHigh",
                    "maxWeightChange", "shrinkageK", "meanScoreChurned", "meanScoreStayed", "fromData", "fromPrior" -> fixed(v, 1);
            case "change" -> difference(d, 0.0, 1);
            case "regParam", "scoreIntercept", "scoreSlope", "coefficient", "coefficientLow", "coefficientHigh" -> significant(v, 4);
            default -> throw new IllegalArgumentException("no format for the decimal field " + field);
        };
    }

    private static String significant(BigDecimal v, int digits) {
        return v.round(new MathContext(digits, RoundingMode.HALF_UP)).stripTrailingZeros().toPlainString();
    }

    private static String fixed(BigDecimal v, int decimals) {
        return round(v, decimals).toPlainString();
    }

    private static BigDecimal round(BigDecimal v, int decimals) {
        return v.setScale(decimals, RoundingMode.HALF_UP);
    }

    private static String field(String pointer) {
        return pointer.substring(pointer.lastIndexOf('/') + 1);
    }

    private static boolean finite(double d) {
        return !Double.isNaN(d) && !Double.isInfinite(d);
    }
}
