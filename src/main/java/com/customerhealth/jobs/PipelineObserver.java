package com.customerhealth.jobs;

import com.customerhealth.validate.ValidatedWarehouse;

/**
 * What {@link Pipeline#run} tells whoever watches it: each stage (the input read with its validation, then each
 * job) as it starts and ends, and the validated inputs once they are read. The benchmark times production's
 * loop through it; the default does nothing.
 */
public interface PipelineObserver {
    /** The stage that reads and validates the inputs (and writes rejected_rows). */
    String READ_VALIDATE = "read_validate";

    PipelineObserver NONE = new PipelineObserver() {
    };

    /** A stage starts: {@link #READ_VALIDATE}, or a job's name. */
    default void stageStarted(String stage) {
    }

    /** A stage ended; {@code failure} is null when it succeeded. */
    default void stageEnded(String stage, RuntimeException failure) {
    }

    /** The inputs passed validation and are about to be used by the first job. */
    default void inputsRead(ValidatedWarehouse warehouse) {
    }
}
