package com.customerhealth.io;

import com.customerhealth.config.TestingSettings;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A place where a job pauses for the fault tests (conf {@code testing.pause-at}): on reaching it, the job
 * creates {@code <signal-dir>/<point>.reached} and waits until {@code <signal-dir>/<point>.resume} exists,
 * so a test can kill the process there, start a second run, or change an input. Only tests set it; with
 * none set, no plan or write changes.
 */
public record FaultPoint(String at, String signalDir) implements Serializable {
    public static final FaultPoint NONE = new FaultPoint("", "");
    private static final long MAX_WAIT_MS = 600_000;
    private static final ConcurrentHashMap<String, AtomicInteger> ROWS_SEEN = new ConcurrentHashMap<>();

    /** The point conf {@code testing} sets, or {@link #NONE}. */
    public static FaultPoint of(TestingSettings testing) {
        return testing.pauseAt().isEmpty() ? NONE : new FaultPoint(testing.pauseAt(), testing.signalDir());
    }

    public boolean is(String point) {
        return at.equals(point);
    }

    /** Pauses when {@code point} is this one. */
    public void pauseAt(String point) {
        if (is(point)) {
            signalAndWait(point, signalDir);
        }
    }

    /**
     * Called by a write task for each row it writes: pauses on the second row any task of this JVM sees,
     * so the first one is already with the file writer: the kill lands inside the write.
     */
    public static boolean passRow(String point, String signalDir) {
        if (ROWS_SEEN.computeIfAbsent(point + signalDir, k -> new AtomicInteger()).incrementAndGet() == 2) {
            signalAndWait(point, signalDir);
        }
        return true;
    }

    private static void signalAndWait(String point, String signalDir) {
        String name = point.replace(':', '_');
        Path dir = Path.of(signalDir);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name + ".reached"), String.valueOf(ProcessHandle.current().pid()));
            long deadline = System.currentTimeMillis() + MAX_WAIT_MS;
            while (!Files.exists(dir.resolve(name + ".resume"))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("Fault point " + point + " waited 10 minutes for " + dir.resolve(name + ".resume"));
                }
                Thread.sleep(50);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted at fault point " + point, e);
        }
    }
}
