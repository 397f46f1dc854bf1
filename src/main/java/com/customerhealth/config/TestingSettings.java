package com.customerhealth.config;

import com.customerhealth.JobFailure;
import com.typesafe.config.Config;

/**
 * The fault-injection point of the fault tests (conf {@code testing}); empty in production.
 *
 * @param pauseAt   "" (none), after-read, before-write:&lt;table&gt; or in-write:&lt;table&gt;
 * @param signalDir where the paused job and the test exchange their signal files
 */
public record TestingSettings(String pauseAt, String signalDir) {
    public static final TestingSettings NONE = new TestingSettings("", "");

    static TestingSettings from(Config root) {
        String at = root.getString("testing.pause-at").trim();
        String dir = root.getString("testing.signal-dir").trim();
        if (at.isEmpty()) {
            return NONE;
        }
        if (dir.isEmpty() || !(at.equals("after-read") || at.startsWith("before-write:") || at.startsWith("in-write:"))) {
            throw JobFailure.badConfig("testing.pause-at = " + at + " needs testing.signal-dir and is one of after-read, "
                    + "before-write:<table>, in-write:<table>.", "");
        }
        return new TestingSettings(at, dir);
    }
}
