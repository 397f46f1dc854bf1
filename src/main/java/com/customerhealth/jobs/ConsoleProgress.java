package com.customerhealth.jobs;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a person watching a run sees: each stage (the input read, then each job) as it starts and ends, with its
 * seconds and the rows its tables got, e.g. {@code [10:02:41] score done in 21.4 s: account_health_scores 4,740 rows}.
 */
final class ConsoleProgress implements PipelineObserver {
    private final PrintStream out;
    private long started;

    ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void stageStarted(String stage) {
        started = System.nanoTime();
        out.printf("[%s] %s ...%n", now(), label(stage));
        out.flush();
    }

    @Override
    public void stageEnded(String stage, RuntimeException failure, Map<String, Long> rowsWritten) {
        double seconds = (System.nanoTime() - started) / 1e9;
        String rows = rowsWritten.isEmpty() ? "" : ": " + rowsWritten.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %,d rows", e.getKey(), e.getValue())).collect(Collectors.joining(", "));
        out.printf(Locale.ROOT, "[%s] %s %s in %.1f s%s%n", now(), label(stage), failure == null ? "done" : "failed", seconds, rows);
        out.flush();
    }

    private static String label(String stage) {
        return stage.equals(READ_VALIDATE) ? "read and validate the inputs" : stage;
    }

    private static String now() {
        return LocalTime.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
