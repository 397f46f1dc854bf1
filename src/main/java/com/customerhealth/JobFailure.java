package com.customerhealth;

/**
 * A failure the CLI reports as one headline (what is wrong and what to do) followed by details,
 * and maps to a process exit code.
 */
public class JobFailure extends RuntimeException {
    /** Exit code for bad usage or configuration. */
    public static final int BAD_CONFIG = 2;
    /** Exit code for input that failed validation. */
    public static final int BAD_INPUT = 3;

    private final int exitCode;
    private final String details;

    public JobFailure(int exitCode, String headline, String details) {
        this(exitCode, headline, details, null);
    }

    public JobFailure(int exitCode, String headline, String details, Throwable cause) {
        super(headline, cause);
        this.exitCode = exitCode;
        this.details = details == null ? "" : details;
    }

    public static JobFailure badConfig(String headline, String details) {
        return new JobFailure(BAD_CONFIG, headline, details);
    }

    public static JobFailure badInput(String headline, String details) {
        return new JobFailure(BAD_INPUT, headline, details);
    }

    public int exitCode() {
        return exitCode;
    }

    public String details() {
        return details;
    }

    /** The first line of an exception message, for one-line headlines. */
    public static String firstLine(Throwable e) {
        String s = String.valueOf(e.getMessage());
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
