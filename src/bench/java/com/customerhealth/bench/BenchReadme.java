package com.customerhealth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The results table of {@code bench/README.md}: one row per (date, accounts), between two marker comments.
 * A new run of the same date and scale replaces its row; any other run is appended.
 */
final class BenchReadme {
    static final String START = "<!-- bench-results:start -->";
    static final String END = "<!-- bench-results:end -->";
    static final String HEADER = "| date | commit | accounts | months | usage rows | machine | load avg before -> after "
            + "| read + validate | features (Spark) | features (DuckDB) | Spark / DuckDB | score | cohorts | insights | calibrate "
            + "| 1 bootstrap replicate | Delta writes | pipeline | peak heap | spill |";
    static final String RULE = "|---|---|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    private BenchReadme() {
    }

    static void update(Path readme, JsonNode result) throws IOException {
        String text = Files.readString(readme);
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        if (start < 0 || end < start) {
            throw new IllegalStateException(readme + " has no results table: it needs the lines " + START + " and " + END);
        }
        List<String> rows = new ArrayList<>();
        for (String line : text.substring(start + START.length(), end).split("\n")) {
            String l = line.strip();
            if (l.startsWith("|") && !l.equals(HEADER) && !l.startsWith("|---")) {
                rows.add(l);
            }
        }
        String row = row(result);
        String key = key(row);
        boolean replaced = false;
        for (int i = 0; i < rows.size(); i++) {
            if (key(rows.get(i)).equals(key)) {
                rows.set(i, row);
                replaced = true;
            }
        }
        if (!replaced) {
            rows.add(row);
        }
        StringBuilder table = new StringBuilder(START).append('\n').append(HEADER).append('\n').append(RULE).append('\n');
        rows.forEach(r -> table.append(r).append('\n'));
        Files.writeString(readme, text.substring(0, start) + table + text.substring(end));
    }

    /** date and accounts: the two cells that name a result file ({@code <date>-<accounts>.json}). */
    private static String key(String row) {
        String[] cells = row.split("\\|");
        return cells.length > 3 ? cells[1].strip() + "/" + cells[3].strip() : row;
    }

    static String row(JsonNode r) {
        JsonNode m = r.path("machine");
        JsonNode duck = r.path("duckdb");
        JsonNode cal = r.path("calibration");
        String machine = String.format(Locale.ROOT, "%d cores, %s, heap %s, %s", m.path("cores").asInt(), m.path("spark_master").asText(),
                gb(m.path("heap_max_bytes").asLong()), m.path("jvm").asText().replace("OpenJDK 64-Bit Server VM ", "OpenJDK "));
        String probe = cal.has("bootstrap_probe")
                ? String.format(Locale.ROOT, "%.2f s", cal.path("bootstrap_probe").path("per_replicate_s").asDouble())
                : r.path("pipeline_only").asBoolean() ? "not run" : "n/a";
        List<String> cells = List.of(
                r.path("date").asText(), "`" + r.path("commit").asText() + "`",
                String.format(Locale.ROOT, "%,d", r.path("scale").path("accounts").asLong()),
                r.path("scale").path("months").asText(),
                String.format(Locale.ROOT, "%,d", r.path("scale").path("input_rows").path("usage_daily").asLong()),
                machine,
                loads(m.path("load_average_before")) + " -> " + loads(m.path("load_average_after")),
                stageSeconds(r, "read_validate"), stageSeconds(r, "features"),
                duck.has("wall_s") ? seconds(duck.path("wall_s").asDouble()) : "not run",
                !duck.has("wall_s") ? "not run" : String.format(Locale.ROOT, "%.2f", duck.path("spark_to_duckdb_ratio").asDouble())
                        + (duck.path("comparison").path("matched").asBoolean() ? "" : " (results differ!)"),
                stageSeconds(r, "score"), stageSeconds(r, "cohorts"), stageSeconds(r, "insights"), stageSeconds(r, "calibrate"), probe,
                seconds(r.path("pipeline").path("delta_write_s").asDouble()), seconds(r.path("pipeline").path("wall_s").asDouble()),
                heap(r.path("pipeline")), mb(r.path("pipeline").path("spill_bytes").asLong()));
        return "| " + String.join(" | ", cells) + " |";
    }

    /** The sampled heap maximum; results from before sampling existed show the pools' peaks summed, an upper bound. */
    private static String heap(JsonNode pipeline) {
        return pipeline.has("heap_used_max_sampled_bytes") ? gb(pipeline.path("heap_used_max_sampled_bytes").asLong())
                : "<= " + gb(pipeline.path("heap_peak_bytes").asLong());
    }

    private static String stageSeconds(JsonNode r, String stage) {
        for (JsonNode s : r.path("stages")) {
            if (s.path("name").asText().equals(stage)) {
                return seconds(s.path("wall_s").asDouble());
            }
        }
        return "not run";
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.1f s", s);
    }

    private static String loads(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(v -> out.add(String.format(Locale.ROOT, "%.2f", v.asDouble())));
        return String.join("/", out);
    }

    private static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.1f GB", bytes / (1024.0 * 1024 * 1024));
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.0f MB", bytes / (1024.0 * 1024));
    }
}
