package com.customerhealth.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How the user started this command: the launcher and the configuration arguments. A command the output asks the
 * user to type (e.g. calibrate's {@code approve}) is printed with both, so it can be pasted as printed and acts on the
 * same output with the same conf.
 *
 * @param launcher          what runs the CLI, as typed in a shell (e.g. {@code ./jobs/cli-local.sh}, or spark-submit
 *                          with the jar); from {@code CUSTOMER_HEALTH_LAUNCHER} when set
 * @param configArguments   the command's {@code --conf} and {@code --set} arguments, in order
 */
public record Invocation(String launcher, List<String> configArguments) {
    /** When the CLI is called from code (tests): the command's own words only. */
    public static final Invocation NONE = new Invocation("", List.of());

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=:@,+%-]+");

    public Invocation {
        configArguments = List.copyOf(configArguments);
    }

    /**
     * {@code commandAndArguments} (already quoted for a shell, e.g. {@code approve --version v --by "<your name>"}) as a
     * whole command line: the launcher first, the configuration arguments last, each quoted when a shell needs it.
     */
    public String commandLine(String commandAndArguments) {
        List<String> words = new ArrayList<>();
        if (!launcher.isBlank()) {
            words.add(launcher);
        }
        words.add(commandAndArguments);
        configArguments.forEach(a -> words.add(quoted(a)));
        return String.join(" ", words);
    }

    static String quoted(String word) {
        return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
