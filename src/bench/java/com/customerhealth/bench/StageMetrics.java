package com.customerhealth.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.V2WriteCommand;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.execution.exchange.ReusedExchangeExec;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Spark task metrics per benchmark stage, and the time spent in write commands.
 *
 * <p>The harness runs its stages one after another and marks each one's interval ({@link #begin},
 * {@link #end}) while it also sets the stage as the Spark job group. A Spark job belongs to the stage
 * whose interval holds its submission time (the job group says the same for every job submitted from
 * the harness's thread or a thread it started; a pool thread created earlier can carry a stale group,
 * the clock cannot). A task belongs to its Spark stage's first job. Write commands are the SQL
 * executions whose analysed plan is a write (Delta WRITE/MERGE/UPDATE, CREATE TABLE AS, a V2 append or
 * overwrite, ...; the noop sink is left out); their wall time is the union of their intervals, so a
 * command nested inside another is not counted twice.
 *
 * <p>Listener events arrive asynchronously: call {@link #drain} before reading the figures.
 */
final class StageMetrics extends SparkListener {

    /** Task figures summed over a stage (peak execution memory: the largest of one task). */
    static final class Totals {
        long jobs;
        long tasks;
        long inputRecords;
        long inputBytes;
        long outputRecords;
        long outputBytes;
        long shuffleReadBytes;
        long shuffleReadRecords;
        long shuffleWriteBytes;
        long memorySpillBytes;
        long diskSpillBytes;
        long peakExecutionMemoryBytes;
        long executorRunMillis;
        long executorCpuNanos;
        long gcMillis;
        long jobsWithOtherGroup;

        long scannedRows;

        synchronized void addScanned(long rows) {
            scannedRows += rows;
        }

        synchronized void add(TaskMetrics m) {
            tasks++;
            inputRecords += m.inputMetrics().recordsRead();
            inputBytes += m.inputMetrics().bytesRead();
            outputRecords += m.outputMetrics().recordsWritten();
            outputBytes += m.outputMetrics().bytesWritten();
            shuffleReadBytes += m.shuffleReadMetrics().totalBytesRead();
            shuffleReadRecords += m.shuffleReadMetrics().recordsRead();
            shuffleWriteBytes += m.shuffleWriteMetrics().bytesWritten();
            memorySpillBytes += m.memoryBytesSpilled();
            diskSpillBytes += m.diskBytesSpilled();
            peakExecutionMemoryBytes = Math.max(peakExecutionMemoryBytes, m.peakExecutionMemory());
            executorRunMillis += m.executorRunTime();
            executorCpuNanos += m.executorCpuTime();
            gcMillis += m.jvmGCTime();
        }
    }

    /** A write command's interval and its analysed plan's root (e.g. WriteIntoDelta, MergeIntoCommand). */
    record Write(long startMillis, long endMillis, String command) {
    }

    private record Interval(String stage, long startMillis, long endMillis) {
    }

    /** Root plan nodes that write a table. Matched on the class's simple name, so Delta's and Spark's both count. */
    private static final Set<String> WRITE_COMMANDS = Set.of("WriteIntoDelta", "WriteIntoDeltaCommand", "SaveIntoDataSourceCommand",
            "MergeIntoCommand", "MergeIntoCommandBase", "UpdateCommand", "DeleteCommand", "CreateDeltaTableCommand",
            "CreateDataSourceTableAsSelectCommand", "InsertIntoHadoopFsRelationCommand", "AppendData", "OverwriteByExpression",
            "OverwritePartitionsDynamic", "CreateTableAsSelect", "ReplaceTableAsSelect", "DeltaMergeInto", "DeltaUpdateTable",
            "DeltaDelete");

    private final List<Interval> intervals = new CopyOnWriteArrayList<>();
    private final Map<String, Totals> totals = new ConcurrentHashMap<>();
    private final Map<Integer, String> stageOfSparkStage = new ConcurrentHashMap<>();
    private final Map<Long, Long> executionStarts = new ConcurrentHashMap<>();
    private final List<Write> writes = new CopyOnWriteArrayList<>();
    /** Every SQL execution's interval, writes included: what ran inside a write command. */
    private final List<long[]> executions = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> otherExecutions = new ConcurrentHashMap<>();
    private volatile String open;
    private volatile long openedAt;

    /** Marks the start of a stage (stages never overlap). */
    void begin(String stage) {
        if (open != null) {
            throw new IllegalStateException("Stage " + open + " is still open");
        }
        open = stage;
        openedAt = System.currentTimeMillis();
        totals.putIfAbsent(stage, new Totals());
    }

    void end(String stage) {
        if (!stage.equals(open)) {
            throw new IllegalStateException("Stage " + stage + " is not the open one (" + open + ")");
        }
        intervals.add(new Interval(stage, openedAt, System.currentTimeMillis()));
        open = null;
    }

    /** The stage running at a moment, or null between stages. */
    private String stageAt(long millis) {
        String current = open;
        if (current != null && millis >= openedAt) {
            return current;
        }
        for (Interval i : intervals) {
            if (millis >= i.startMillis() && millis <= i.endMillis()) {
                return i.stage();
            }
        }
        return null;
    }

    @Override
    public void onJobStart(SparkListenerJobStart e) {
        String stage = stageAt(e.time());
        if (stage == null) {
            return;
        }
        Totals t = totals.computeIfAbsent(stage, s -> new Totals());
        synchronized (t) {
            t.jobs++;
            String group = e.properties() == null ? null : e.properties().getProperty("spark.jobGroup.id");
            if (!BenchHarness.groupOf(stage).equals(group)) {
                t.jobsWithOtherGroup++;
            }
        }
        for (Object id : CollectionConverters.asJava(e.stageIds())) {
            stageOfSparkStage.putIfAbsent((Integer) id, stage);
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
        String stage = stageOfSparkStage.get(e.stageId());
        if (stage == null) {
            stage = stageAt(e.taskInfo().finishTime());
        }
        if (stage != null && e.taskMetrics() != null) {
            totals.computeIfAbsent(stage, s -> new Totals()).add(e.taskMetrics());
        }
    }

    @Override
    public void onOtherEvent(SparkListenerEvent event) {
        if (event instanceof SparkListenerSQLExecutionStart s) {
            executionStarts.put(s.executionId(), s.time());
        } else if (event instanceof SparkListenerSQLExecutionEnd e) {
            Long start = executionStarts.remove(e.executionId());
            QueryExecution qe = e.qe();
            if (start == null || qe == null) {
                return;
            }
            try {
                qe.analyzed();
            } catch (Exception failedAnalysis) { // Spark's AnalysisException is checked: catching RuntimeException missed it
                // Ran nothing: a probe of a table not created yet (DeltaTables.exists). Reading its plan would throw here.
                otherExecutions.merge("(failed analysis)", 1, Integer::sum);
                return;
            }
            executions.add(new long[] {start, e.time()});
            long scanned = scannedRows(qe);
            if (scanned > 0) {
                String stage = stageAt(start);
                if (stage != null) {
                    totals.computeIfAbsent(stage, x -> new Totals()).addScanned(scanned);
                }
            }
            String command = writeCommand(qe);
            if (command != null) {
                writes.add(new Write(start, e.time(), command));
            } else {
                otherExecutions.merge(qe.analyzed().getClass().getSimpleName(), 1, Integer::sum);
            }
        }
    }

    /**
     * Rows the execution's scan operators produced (files, cached tables, checkpoints, local rows): its
     * leaf nodes' numOutputRows, through adaptive plans and their query stages. A reused exchange is not
     * a scan; a cache built by the execution counts as the rows read from it.
     */
    static long scannedRows(QueryExecution qe) {
        try {
            return scannedRows(qe.executedPlan());
        } catch (RuntimeException e) {
            return 0; // a failed or unplanned execution scanned nothing we can count
        }
    }

    private static long scannedRows(SparkPlan plan) {
        if (plan instanceof AdaptiveSparkPlanExec a) {
            return scannedRows(a.executedPlan());
        }
        if (plan instanceof QueryStageExec q) {
            return scannedRows(q.plan());
        }
        if (plan instanceof ReusedExchangeExec) {
            return 0;
        }
        long rows = 0;
        if (plan.children().isEmpty() && plan.getClass().getSimpleName().contains("Scan")) {
            scala.Option<SQLMetric> n = plan.metrics().get("numOutputRows");
            if (n.isDefined()) {
                rows += n.get().value();
            }
        }
        for (SparkPlan child : CollectionConverters.asJava(plan.children())) {
            rows += scannedRows(child);
        }
        for (SparkPlan sub : CollectionConverters.asJava(plan.subqueries())) {
            rows += scannedRows(sub);
        }
        return rows;
    }

    /** The root class name when the execution writes a table (not the noop sink), else null. */
    private static String writeCommand(QueryExecution qe) {
        LogicalPlan plan;
        try {
            plan = qe.analyzed();
        } catch (Exception failedAnalysis) {
            return null;
        }
        String name = plan.getClass().getSimpleName();
        if (!WRITE_COMMANDS.contains(name)) {
            return null;
        }
        if (plan instanceof V2WriteCommand w && w.table() instanceof DataSourceV2Relation r
                && r.table().getClass().getSimpleName().startsWith("NoopTable")) {
            return null; // the benchmark's noop sink
        }
        return name;
    }

    /** Waits until every event posted so far has reached the listeners. */
    static void drain(org.apache.spark.SparkContext sc) {
        try {
            sc.listenerBus().waitUntilEmpty(java.util.concurrent.TimeUnit.MINUTES.toMillis(2));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Spark's listener bus did not drain in 2 minutes: the stage figures would be incomplete", e);
        }
    }

    Totals totals(String stage) {
        return totals.getOrDefault(stage, new Totals());
    }

    /** Seconds spent in write commands inside the stage's interval, and the number of top-level write commands. */
    WriteTime writeTime(String stage) {
        Interval in = intervals.stream().filter(i -> i.stage().equals(stage)).findFirst().orElse(null);
        if (in == null) {
            return new WriteTime(0, 0, Map.of(), 0);
        }
        List<Write> inside = new ArrayList<>(writes.stream()
                .filter(w -> w.startMillis() >= in.startMillis() && w.endMillis() <= in.endMillis()).toList());
        inside.sort(Comparator.comparingLong(Write::startMillis));
        long covered = 0;
        int commands = 0;
        long runStart = -1;
        long runEnd = -1;
        Map<String, Integer> byCommand = new java.util.TreeMap<>();
        for (Write w : inside) {
            if (w.startMillis() > runEnd) {
                covered += runEnd - runStart;
                runStart = w.startMillis();
                runEnd = w.endMillis();
                commands++;
                byCommand.merge(w.command(), 1, Integer::sum);
            } else {
                runEnd = Math.max(runEnd, w.endMillis());
            }
        }
        covered += runEnd - runStart;
        // Inside the write commands, the time no other SQL execution ran: Delta's own driver-side work
        // (log replay, listing, the commit) rather than computing or writing the rows.
        long outside = 0;
        List<long[]> tops = new ArrayList<>();
        for (Write w : inside) {
            if (tops.isEmpty() || w.startMillis() > tops.get(tops.size() - 1)[1]) {
                tops.add(new long[] {w.startMillis(), w.endMillis()});
            } else {
                tops.get(tops.size() - 1)[1] = Math.max(tops.get(tops.size() - 1)[1], w.endMillis());
            }
        }
        for (long[] top : tops) {
            List<long[]> nested = new ArrayList<>(executions.stream()
                    .filter(x -> x[0] >= top[0] && x[1] <= top[1] && !(x[0] == top[0] && x[1] == top[1])).toList());
            outside += (top[1] - top[0]) - unionLength(nested);
        }
        return new WriteTime(covered / 1000.0, commands, byCommand, outside / 1000.0);
    }

    private static long unionLength(List<long[]> intervals) {
        intervals.sort(Comparator.comparingLong(x -> x[0]));
        long total = 0;
        long start = -1;
        long end = -1;
        for (long[] x : intervals) {
            if (x[0] > end) {
                total += end - start;
                start = x[0];
                end = x[1];
            } else {
                end = Math.max(end, x[1]);
            }
        }
        return total + end - start;
    }

    /**
     * Time in write commands (union of their intervals), top-level write commands, those by plan root, and the
     * part of the time in which no nested SQL execution ran (Delta's own work on the driver).
     */
    record WriteTime(double seconds, int commands, Map<String, Integer> byCommand, double outsideQueriesSeconds) {
    }

    /** SQL executions that were not writes, by the analysed plan's root class: to check the write classification. */
    Map<String, Integer> otherExecutions() {
        return Map.copyOf(otherExecutions);
    }
}
