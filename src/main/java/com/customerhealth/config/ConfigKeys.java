package com.customerhealth.config;

import com.customerhealth.JobFailure;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Checks the keys of the whole configuration (reference.conf, the --conf file and --set, resolved) before any section
 * reads it: a key named like a secret is refused wherever it is, reader options included, and its value is never shown.
 */
final class ConfigKeys {
    /**
     * Endings of a key name, lower-cased with everything but letters and digits dropped, that mark a secret: api-key,
     * apiKey and API_KEY are all "apikey". Endings, so sslpassword and client_secret count too; password-env (the NAME
     * of a variable) does not.
     */
    private static final List<String> SECRET_NAMES = List.of("password", "passwd", "passphrase", "pwd", "secret", "token",
            "apikey", "accesskey", "secretkey", "privatekey", "credential", "credentials");

    private ConfigKeys() {
    }

    /** Fails (exit 2) on the first key named like a secret. */
    static void check(Config config) {
        List<List<String>> keys = new ArrayList<>();
        collect(config.root(), List.of(), keys);
        for (List<String> key : keys) {
            if (namedLikeSecret(key)) {
                boolean source = key.size() > 2 && key.get(0).equals("input") && key.get(1).equals("tables");
                throw JobFailure.badConfig("Configuration key " + display(key) + " looks like a secret, and secrets never go in "
                                + "configuration: remove it and keep the secret in an environment variable"
                                + (source ? " (for a JDBC password, name the variable in input.tables." + key.get(2) + ".password-env)" : "")
                                + ".",
                        "Keys named like a password, passphrase, secret, token, API, access or private key, or credentials are refused "
                                + "anywhere in the configuration, reader options included. The value is not shown.");
            }
        }
    }

    /**
     * Every key that holds a value, as its path: the segments of an object's keys, and [i] for the elements of a list of
     * objects (a list of plain values is one value). An empty object counts as a key too, so a misspelt one is seen.
     */
    private static void collect(ConfigValue value, List<String> path, List<List<String>> out) {
        if (value instanceof ConfigObject object && !(object.isEmpty() && !path.isEmpty())) {
            for (String key : new TreeSet<>(object.keySet())) { // sorted: the same first error every time
                collect(object.get(key), append(path, key), out);
            }
        } else if (value instanceof ConfigList list && list.stream().anyMatch(v -> v instanceof ConfigObject)) {
            for (int i = 0; i < list.size(); i++) {
                collect(list.get(i), append(path, "[" + i + "]"), out);
            }
        } else {
            out.add(path);
        }
    }

    /**
     * Whether any name on the key's path looks like a secret, or its last two names together do: HOCON splits an
     * unquoted option such as fs.s3a.access.key into nested keys, "access" and "key".
     */
    private static boolean namedLikeSecret(List<String> key) {
        List<String> names = key.stream().filter(s -> !isIndex(s)).toList();
        if (names.stream().anyMatch(ConfigKeys::looksLikeSecret)) {
            return true;
        }
        return names.size() >= 2 && looksLikeSecret(names.get(names.size() - 2) + names.get(names.size() - 1));
    }

    static boolean looksLikeSecret(String name) {
        String n = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return SECRET_NAMES.stream().anyMatch(n::endsWith);
    }

    private static boolean isIndex(String segment) {
        return segment.startsWith("[");
    }

    private static List<String> append(List<String> path, String segment) {
        List<String> out = new ArrayList<>(path);
        out.add(segment);
        return out;
    }

    /** A key as it is written in HOCON: names joined by dots, quoted where they need it, list elements as [i]. */
    static String display(List<String> key) {
        StringBuilder b = new StringBuilder();
        for (String segment : key) {
            if (isIndex(segment)) {
                b.append(segment);
            } else {
                b.append(b.length() == 0 ? "" : ".").append(ConfigUtil.joinPath(segment));
            }
        }
        return b.toString();
    }
}
