package com.customerhealth.config;

import com.customerhealth.JobFailure;
import com.customerhealth.contract.TableSpec;
import com.customerhealth.contract.WarehouseContract;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Checks the keys of the whole configuration (reference.conf, the --conf file and --set, resolved) before any section
 * reads it, so a mistake is named as the key the user wrote rather than surfacing as a default silently used:
 * <ul>
 *   <li>a key named like a secret is refused wherever it is, reader options included, and its value is never shown;</li>
 *   <li>a key that reference.conf does not define, read through {@link #CATALOG}, is unknown: the error names it and the
 *       nearest valid key.</li>
 * </ul>
 */
final class ConfigKeys {
    /** What a catalog entry says about its path, in which "*" stands for any one name. */
    private enum Kind {
        /** The names at "*" are the user's (from {@code names} only, when given); what is below is reference.conf's. */
        NAMES,
        /** A key reference.conf leaves out, because no default fits it. */
        KEY,
        /** Anything below is the user's: no key under it is unknown (secrets are still refused). */
        FREE
    }

    private record Entry(Kind kind, List<String> path, Set<String> names) {
    }

    /**
     * Where the keys are not simply those of reference.conf: the one list of them, read by {@link #known} and
     * {@link #firstUnknown}. A preset's, dimension's and metric's own keys come from the presets of reference.conf.
     */
    private static final List<Entry> CATALOG = List.of(
            // One source per contract table, and no other: a misspelt table would otherwise be a table nobody reads.
            names("input.tables.*", WarehouseContract.TABLES.stream().map(TableSpec::name).collect(Collectors.toSet())),
            // Keys of catalog and JDBC sources: reference.conf defines path sources, and no default fits these.
            key("input.tables.*.table"), key("input.tables.*.url"), key("input.tables.*.user"), key("input.tables.*.password-env"),
            // Reader options go to Spark or the JDBC driver as they are: their names are Spark's and the driver's.
            free("input.tables.*.options"),
            // Contract column -> warehouse column: InputSettings checks the names against the contract.
            free("input.tables.*.columns"),
            // Users define presets, dimensions and metrics; ModelParser checks the dimension names of the preset in use.
            names("models.*", null), names("models.*.dimensions.*", null), names("models.*.dimensions.*.metrics.*", null));

    /** Every key path of reference.conf, "*" at a catalog's names, "[]" for list elements, with the catalog's keys. */
    private static final class Known {
        static final Set<List<String>> PATHS = known();
    }

    /**
     * Endings of a key name, lower-cased with everything but letters and digits dropped, that mark a secret: api-key,
     * apiKey and API_KEY are all "apikey". Endings, so sslpassword and client_secret count too; password-env (the NAME
     * of a variable) does not.
     */
    private static final List<String> SECRET_NAMES = List.of("password", "passwd", "passphrase", "pwd", "secret", "token",
            "apikey", "accesskey", "secretkey", "privatekey", "credential", "credentials");

    private static final String FIX = "in your --conf file or --set; docs/configuration.md lists every key.";
    private static final String FREE_KEYS = "Free by design: input.tables.<table>.options.* (reader options), "
            + "input.tables.<table>.columns.* (column mappings) and the names of presets, dimensions and metrics under models.";

    private ConfigKeys() {
    }

    private static Entry names(String path, Set<String> names) {
        return new Entry(Kind.NAMES, List.of(path.split("\\.")), names);
    }

    private static Entry key(String path) {
        return new Entry(Kind.KEY, List.of(path.split("\\.")), null);
    }

    private static Entry free(String path) {
        return new Entry(Kind.FREE, List.of(path.split("\\.")), null);
    }

    /** Fails (exit 2) on a key named like a secret, then on unknown keys (naming the first, listing all in the details). */
    static void check(Config config) {
        List<List<String>> keys = new ArrayList<>();
        collect(config.root(), List.of(), keys);
        refuseSecrets(keys);
        List<String> unknown = new ArrayList<>();
        for (List<String> key : keys) {
            int at = firstUnknown(key);
            if (at >= 0) {
                unknown.add(display(key) + ": " + hint(key, at));
            }
        }
        if (unknown.size() == 1) {
            throw JobFailure.badConfig("Unknown configuration key " + unknown.get(0) + " Correct or remove it " + FIX, FREE_KEYS);
        }
        if (!unknown.isEmpty()) {
            throw JobFailure.badConfig(unknown.size() + " unknown configuration keys, the first " + unknown.get(0)
                    + " Correct or remove them " + FIX, String.join("\n", unknown) + "\n" + FREE_KEYS);
        }
    }

    private static void refuseSecrets(List<List<String>> keys) {
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

    /** The catalog entry of a path pattern, or null. */
    private static Entry entry(List<String> pattern, Kind kind) {
        return CATALOG.stream().filter(e -> e.kind() == kind && e.path().equals(pattern)).findFirst().orElse(null);
    }

    /** The pattern one segment below {@code pattern}: "*" where the catalog gives the names, "[]" for a list element. */
    private static String patternSegment(List<String> pattern, String segment) {
        return isIndex(segment) ? "[]" : entry(append(pattern, "*"), Kind.NAMES) != null ? "*" : segment;
    }

    private static Set<List<String>> known() {
        List<List<String>> keys = new ArrayList<>();
        collect(AppConfig.reference().resolve().root(), List.of(), keys);
        Set<List<String>> paths = new HashSet<>();
        for (List<String> key : keys) {
            List<String> pattern = new ArrayList<>();
            for (String segment : key) {
                pattern.add(patternSegment(pattern, segment));
                paths.add(List.copyOf(pattern));
            }
        }
        for (Entry e : CATALOG) {
            for (int i = 1; i <= e.path().size(); i++) {
                paths.add(e.path().subList(0, i));
            }
        }
        return paths;
    }

    /** Where in {@code key} the first segment that no valid key has is, or -1 when the key is valid. */
    private static int firstUnknown(List<String> key) {
        List<String> pattern = new ArrayList<>();
        for (int i = 0; i < key.size(); i++) {
            if (entry(pattern, Kind.FREE) != null) {
                return -1;
            }
            Entry names = entry(append(pattern, "*"), Kind.NAMES);
            if (names != null && names.names() != null && !names.names().contains(key.get(i))) {
                return i;
            }
            pattern.add(patternSegment(pattern, key.get(i)));
            if (!Known.PATHS.contains(pattern)) {
                return i;
            }
        }
        return -1;
    }

    /** The valid names at {@code at} in {@code key}, given the segments before it are valid. */
    private static List<String> validNames(List<String> key, int at) {
        List<String> pattern = new ArrayList<>();
        for (String segment : key.subList(0, at)) {
            pattern.add(patternSegment(pattern, segment));
        }
        Entry names = entry(append(pattern, "*"), Kind.NAMES);
        if (names != null && names.names() != null) {
            return new ArrayList<>(new TreeSet<>(names.names()));
        }
        return Known.PATHS.stream()
                .filter(p -> p.size() == pattern.size() + 1 && p.subList(0, pattern.size()).equals(pattern))
                .map(p -> p.get(pattern.size()))
                .filter(s -> !s.equals("*") && !s.equals("[]"))
                .sorted().toList();
    }

    /**
     * What to say about an unknown key: the nearest valid key, else the valid names there.
     *
     * <p>Nearest among the siblings of the first wrong segment, by Damerau-Levenshtein distance (optimal string
     * alignment) on that segment, not on the whole dotted path: a typo sits in one name, the siblings are the only names
     * that can replace it there (a whole-path distance could suggest a key of another section, and a long shared prefix
     * says nothing), and a transposition (wieght) is one edit rather than Levenshtein's two, so it beats a name one
     * letter away. A suggestion keeps what follows the wrong segment when that is valid under the fix.
     */
    private static String hint(List<String> key, int at) {
        String wrong = key.get(at);
        List<String> valid = validNames(key, at);
        String where = at == 0 ? "the top level" : display(key.subList(0, at));
        if (valid.isEmpty()) {
            return where + " takes a value, not keys.";
        }
        String nearest = null;
        int best = Integer.MAX_VALUE;
        for (String candidate : valid) {
            int d = distance(wrong.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < best) {
                best = d;
                nearest = candidate;
            }
        }
        // Up to a third of the name's letters (1 to 3 edits): further than that a guess misleads more than it helps.
        if (best > Math.max(1, Math.min(3, wrong.length() / 3))) {
            return (at == 0 ? "there is no top-level key " + wrong : where + " has no key " + wrong)
                    + " (its keys: " + String.join(", ", valid) + ").";
        }
        List<String> fixed = new ArrayList<>(key);
        fixed.set(at, nearest);
        return "did you mean " + display(firstUnknown(fixed) < 0 ? fixed : fixed.subList(0, at + 1)) + "?";
    }

    /** Damerau-Levenshtein distance, optimal string alignment: insertions, deletions, substitutions, adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
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
