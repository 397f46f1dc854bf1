package com.customerhealth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Docs rendered from the code's catalogs. A doc test compares each with what its renderer gives now;
 * with {@code -Ddocs.regenerate=true} it writes the doc instead, so a catalog change and its doc are
 * one commit, never two that drift apart.
 */
public final class GeneratedDocs {
    public static final boolean REGENERATE = Boolean.getBoolean("docs.regenerate");
    public static final String COMMAND = "mvn -B test -Dtest='OutputTablesDocTest,ContractDocTest' -Ddocs.regenerate=true";

    private GeneratedDocs() {
    }

    /** A file that is generated whole. */
    public static void checkFile(Path file, String rendered) throws IOException {
        if (REGENERATE) {
            Files.writeString(file, rendered);
            return;
        }
        assertThat(file).as(file + " is generated; create it with: " + COMMAND).exists();
        assertThat(Files.readString(file))
                .as(file + " differs from what the code's catalog gives; regenerate it with: " + COMMAND)
                .isEqualTo(rendered);
    }

    public static String begin(String source) {
        return "<!-- generated from " + source + ": begin (edit the code, then: " + COMMAND + ") -->";
    }

    public static String end(String source) {
        return "<!-- generated from " + source + ": end -->";
    }

    /**
     * A generated block inside a hand-written file: everything between the {@link #begin} and {@link #end}
     * markers of {@code source}, which must each appear exactly once. The block is the rendered text with a
     * blank line on either side, so the markers stay out of the Markdown around them.
     */
    public static void checkBlock(Path file, String source, String rendered) throws IOException {
        String text = Files.readString(file);
        String begin = begin(source);
        String end = end(source);
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        assertThat(b).as(file + " needs the line " + begin).isNotNegative();
        assertThat(text.indexOf(begin, b + 1)).as(file + " has the line " + begin + " twice").isNegative();
        assertThat(e).as(file + " needs the line " + end + " after " + begin).isGreaterThan(b);
        assertThat(text.indexOf(end, e + 1)).as(file + " has the line " + end + " twice").isNegative();
        String block = "\n\n" + rendered + "\n";
        String actual = text.substring(b + begin.length(), e);
        if (REGENERATE) {
            Files.writeString(file, text.substring(0, b + begin.length()) + block + text.substring(e));
            return;
        }
        assertThat(actual)
                .as("The block of " + file + " generated from " + source + " differs from what the code gives; regenerate it with: " + COMMAND)
                .isEqualTo(block);
    }

    /**
     * Text for a Markdown table cell: a {@code |} would end the cell, and a {@code <word>} would be taken for
     * an HTML tag (GitHub drops it), so both are escaped; the source shows them with a backslash.
     */
    public static String cell(String text) {
        return text.replace("|", "\\|").replaceAll("<(?=[A-Za-z/])", "\\\\<");
    }
}
