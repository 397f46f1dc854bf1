package com.customerhealth.config;

import com.customerhealth.JobFailure;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small readers shared by the section parsers: each failure names the key and what to do. */
final class ConfigValues {
    private ConfigValues() {
    }

    static double positive(double v, String key) {
        if (!(v > 0)) {
            throw JobFailure.badConfig(key + " = " + v + " must be above 0 (remove a metric or dimension to leave it out).", "");
        }
        return v;
    }

    static void require(String value, String key) {
        if (value == null || value.isBlank()) {
            throw JobFailure.badConfig(key + " is required for this source type: set it in your conf.", "");
        }
    }

    static String str(Config c, String key) {
        return c.hasPath(key) ? c.getString(key) : null;
    }

    /** An object of string values (reader options, column mappings), in file order. */
    static Map<String, String> stringMap(Config c, String key) {
        Map<String, String> out = new LinkedHashMap<>();
        if (c.hasPath(key)) {
            for (Map.Entry<String, ConfigValue> e : c.getObject(key).entrySet()) {
                out.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
            }
        }
        return Collections.unmodifiableMap(out);
    }
}
