package com.customerhealth.contract;

import static com.customerhealth.GeneratedDocs.cell;

import java.nio.file.Path;

/**
 * Renders the generated blocks of two hand-written docs: the column tables of the input contract
 * ({@code docs/input-contract.md}, from {@link WarehouseContract}) and the feature catalog
 * ({@code docs/health-model.md}, from {@link Feature}). The prose around them stays hand-written.
 */
public final class ContractDoc {
    public static final Path INPUT_CONTRACT = Path.of("docs/input-contract.md");
    public static final Path HEALTH_MODEL = Path.of("docs/health-model.md");
    public static final String CONTRACT_SOURCE = "WarehouseContract";
    public static final String FEATURE_SOURCE = "Feature";

    private ContractDoc() {
    }

    /** Every contract table, in contract order: heading, meaning, key, event date, one row per column. */
    public static String contractTables() {
        StringBuilder md = new StringBuilder();
        for (TableSpec t : WarehouseContract.TABLES) {
            if (!md.isEmpty()) {
                md.append('\n');
            }
            md.append(table(t));
        }
        return md.toString();
    }

    static String table(TableSpec t) {
        StringBuilder md = new StringBuilder();
        md.append("### `").append(t.name()).append('`').append(t.optional() ? " (optional)" : "").append("\n\n")
                .append(t.meaning()).append(" Key: `").append(String.join(", ", t.key())).append("`.");
        t.eventDateColumn().ifPresent(d -> md.append(" Event date: `").append(d).append("`."));
        md.append("\n\n| column | type | null? | meaning |\n|---|---|---|---|\n");
        for (ColumnSpec c : t.columns()) {
            md.append("| `").append(c.name()).append("` | ").append(c.type().simpleString().toUpperCase()).append(" | ")
                    .append(c.nullable() ? "yes" : "no").append(" | ").append(cell(c.meaning())).append(" |\n");
        }
        return md.toString();
    }

    /** The feature catalog: one row per feature, its source table and its definition as computed. */
    public static String featureCatalog() {
        StringBuilder md = new StringBuilder("| feature | source table | definition (as of D, window w) |\n|---|---|---|\n");
        for (Feature f : Feature.values()) {
            md.append("| `").append(f.id()).append("` | ").append(f.sourceTable()).append(" | ").append(cell(f.definition())).append(" |\n");
        }
        return md.toString();
    }
}
