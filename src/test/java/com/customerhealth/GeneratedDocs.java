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
    public static final String COMMAND = "mvn -B test -Dtest=OutputTablesDocTest -Ddocs.regenerate=true";

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

    /**
     * Text for a Markdown table cell: a {@code |} would end the cell, and a {@code <word>} would be taken for
     * an HTML tag (GitHub drops it), so both are escaped; the source shows them with a backslash.
     */
    public static String cell(String text) {
        return text.replace("|", "\\|").replaceAll("<(?=[A-Za-z/])", "\\\\<");
    }
}
