package com.customerhealth.jobs;

import com.customerhealth.validate.ValidatedWarehouse;
import java.util.Map;

/**
 * What {@link Pipeline#run} tells whoever watches it: each stage (the input read with its validation, then each
 * job) as it starts and ends, and the validated inputs once they are read. The CLI prints progress through it
 * ({@link ConsoleProgress}), the benchmark times production's loop through it; {@link #NONE} does nothing.
 */
public interface PipelineObserver {
    /** The stage that reads and validates the inputs (and writes rejected_rows). */
    String READ_VALIDATE = "read_validate";

    PipelineObserver NONE = new PipelineObserver() {
    };

    /** A stage starts: {@link #READ_VALIDATE}, or a job's name. */
    default void stageStarted(String stage) {
    }

    /**
     * A stage ended; {@code failure} is null when it succeeded. {@code rowsWritten}: the rows its Delta commits wrote, by
     * table (empty for the read, and when it failed).
     */
    default void stageEnded(String stage, RuntimeException failure, Map<String, Long> rowsWritten) {
    }

    /** The inputs passed validation and are about to be used by the first job. */
    default void inputsRead(ValidatedWarehouse warehouse) {
    }
}
