package com.customerhealth;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.contract.ColumnSpec;
import com.customerhealth.contract.Feature;
import com.customerhealth.contract.TableSpec;
import com.customerhealth.contract.WarehouseContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README.md is a short front page and docs/ the reference: together they document every input column and
 * feature the code has, and every relative link in them leads to a file and heading that exist. The output
 * tables are checked column by column by {@code OutputTablesDocTest} (docs/output-tables.md is generated).
 */
class ReadmeTest {
    private static final Path README = Path.of("README.md");
    private static final Path DOCS = Path.of("docs");
    static final int MAX_README_LINES = 250;

    private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)(\\s+#+)?\\s*$");
    private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)(\\s+\"[^\"]*\")?\\)");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    @Test
    void everyContractColumnIsDocumentedWithItsType() throws IOException {
        String doc = Files.readString(DOCS.resolve("input-contract.md"));
        for (TableSpec t : WarehouseContract.TABLES) {
            assertThat(doc).contains("### `" + t.name() + "`");
            for (ColumnSpec c : t.columns()) {
                assertThat(doc).as(t.name() + "." + c.name())
                        .contains("| `" + c.name() + "` | " + c.type().simpleString().toUpperCase() + " |");
            }
        }
    }

    @Test
    void everyFeatureIsDefinedAsComputed() throws IOException {
        String doc = Files.readString(DOCS.resolve("health-model.md"));
        for (Feature f : Feature.values()) {
            assertThat(doc).as(f.id()).contains("| `" + f.id() + "` | " + f.sourceTable() + " | " + GeneratedDocs.cell(f.definition()) + " |");
        }
    }

    @Test
    void quickstartHasTheTwoCommandsAndCiRunsTheTestOne() throws IOException {
        assertThat(Files.readString(README)).contains("./jobs/run-local.sh", "mvn -B verify");
        assertThat(Files.readString(Path.of(".ci/run"))).contains("mvn -B verify");
    }

    @Test
    void readmeIsAShortFrontPage() throws IOException {
        int lines = Files.readAllLines(README).size();
        assertThat(lines).as("README.md has %d lines: the reference belongs in docs/", lines).isLessThanOrEqualTo(MAX_README_LINES);
    }

    /** No orphan doc: the front page lists every doc, and every doc leads back to it. */
    @Test
    void readmeListsEveryDocAndEveryDocLinksBack() throws IOException {
        String readme = Files.readString(README);
        List<Path> docs = docs();
        assertThat(docs).isNotEmpty();
        List<String> missing = new ArrayList<>();
        for (Path doc : docs) {
            if (!readme.contains("](docs/" + doc.getFileName() + ")")) {
                missing.add("README.md does not link " + doc);
            }
            if (!Files.readString(doc).contains("](../README.md)")) {
                missing.add(doc + " does not link back to ../README.md");
            }
        }
        assertThat(missing).isEmpty();
    }

    /** A section named in quotes ({@code see "Calibration"}) breaks silently when it moves; a link is checked below. */
    @Test
    void sectionsAreReferencedByLinksNotByName() throws IOException {
        for (Path file : markdownFiles()) {
            List<String> lines = proseLines(file);
            for (int i = 0; i < lines.size(); i++) {
                assertThat(lines.get(i)).as(file + ":" + (i + 1) + " names a section in quotes; link it instead").doesNotContainPattern("(?i)\\bsee \"");
            }
        }
    }

    @Test
    void everyRelativeLinkLeadsToAFileAndHeadingThatExist() throws IOException {
        Path repo = Path.of("").toAbsolutePath().normalize();
        List<String> broken = new ArrayList<>();
        Map<Path, Set<String>> anchors = new HashMap<>();
        for (Path file : markdownFiles()) {
            for (String target : links(file)) {
                if (SCHEME.matcher(target).find()) {
                    continue;
                }
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? "" : target.substring(hash + 1);
                Path to = path.isEmpty() ? file.toAbsolutePath().normalize()
                        : file.toAbsolutePath().getParent().resolve(path).normalize();
                if (!to.startsWith(repo)) {
                    broken.add(file + ": " + target + " is outside the repository");
                } else if (!Files.exists(to)) {
                    broken.add(file + ": " + target + " (no such file)");
                } else if (!anchor.isEmpty()) {
                    if (!to.toString().endsWith(".md")) {
                        broken.add(file + ": " + target + " (an anchor into a file that is not Markdown)");
                    } else if (!anchors.computeIfAbsent(to, ReadmeTest::anchorsOf).contains(anchor)) {
                        broken.add(file + ": " + target + " (no heading with that anchor in " + repo.relativize(to) + ")");
                    }
                }
            }
        }
        assertThat(broken).as("broken links").isEmpty();
    }

    /** GitHub's anchors: lowercase, punctuation but - and _ dropped, each space a -, -1, -2 ... for repeats. */
    @Test
    void anchorsFollowGitHub() {
        assertThat(anchor("Run on a cluster (spark-submit)")).isEqualTo("run-on-a-cluster-spark-submit");
        assertThat(anchor("Calibration: fitting the weights to observed churn")).isEqualTo("calibration-fitting-the-weights-to-observed-churn");
        assertThat(anchor("`churn_events` (optional)")).isEqualTo("churn_events-optional");
        assertThat(anchor("[Airflow](operations.md) & cron")).isEqualTo("airflow--cron");
    }

    private static List<Path> docs() throws IOException {
        try (Stream<Path> s = Files.list(DOCS)) {
            return s.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
    }

    private static List<Path> markdownFiles() throws IOException {
        List<Path> files = new ArrayList<>(List.of(README));
        files.addAll(docs());
        return files;
    }

    /** The file's lines outside fenced code blocks, with inline code spans blanked; line numbers kept. */
    private static List<String> proseLines(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(file)) {
            if (FENCE.matcher(line).find()) {
                fenced = !fenced;
                out.add("");
            } else {
                out.add(fenced ? "" : CODE_SPAN.matcher(line).replaceAll("``"));
            }
        }
        return out;
    }

    private static List<String> links(Path file) throws IOException {
        List<String> targets = new ArrayList<>();
        for (String line : proseLines(file)) {
            Matcher m = LINK.matcher(line);
            while (m.find()) {
                targets.add(m.group(1));
            }
        }
        return targets;
    }

    private static Set<String> anchorsOf(Path file) {
        try {
            Set<String> anchors = new LinkedHashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            boolean fenced = false;
            for (String line : Files.readAllLines(file)) {
                if (FENCE.matcher(line).find()) {
                    fenced = !fenced;
                    continue;
                }
                Matcher h = HEADING.matcher(line);
                if (!fenced && h.matches()) {
                    String a = anchor(h.group(1));
                    int n = seen.merge(a, 1, Integer::sum);
                    anchors.add(n == 1 ? a : a + "-" + (n - 1));
                }
            }
            return anchors;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String anchor(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "");
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{M}\\p{N}_ -]", "").replace(' ', '-');
    }
}
