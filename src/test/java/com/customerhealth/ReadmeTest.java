package com.customerhealth;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.contract.ColumnSpec;
import com.customerhealth.contract.TableSpec;
import com.customerhealth.contract.WarehouseContract;
import com.customerhealth.contract.Feature;
import com.customerhealth.io.OutputTable;
import com.customerhealth.io.OutputTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** README.md documents every input column, output column, feature and row rule the code has. */
class ReadmeTest {
    private static String readme() throws IOException {
        return Files.readString(Path.of("README.md"));
    }

    @Test
    void everyContractColumnIsDocumentedWithItsType() throws IOException {
        String readme = readme();
        for (TableSpec t : WarehouseContract.TABLES) {
            assertThat(readme).contains("#### `" + t.name() + "`");
            for (ColumnSpec c : t.columns()) {
                assertThat(readme).as(t.name() + "." + c.name())
                        .contains("| `" + c.name() + "` | " + c.type().simpleString().toUpperCase() + " |");
            }
        }
    }

    @Test
    void everyOutputColumnIsDocumentedWithItsComment() throws IOException {
        String readme = readme();
        for (OutputTable t : OutputTables.ALL) {
            assertThat(readme).contains("### `" + t.name() + "`");
            for (var f : t.schema().fields()) {
                assertThat(readme).as(t.name() + "." + f.name())
                        .contains("| `" + f.name() + "` | " + f.dataType().simpleString().toUpperCase() + " | " + f.getComment().get() + " |");
            }
        }
    }

    @Test
    void everyFeatureIsDefinedAsComputed() throws IOException {
        String readme = readme();
        for (Feature f : Feature.values()) {
            assertThat(readme).as(f.id()).contains("| `" + f.id() + "` | " + f.sourceTable() + " | " + f.definition() + " |");
        }
    }

    @Test
    void quickstartHasTheTwoCommandsAndCiRunsTheTestOne() throws IOException {
        assertThat(readme()).contains("./jobs/run-local.sh", "mvn -B verify");
        assertThat(Files.readString(Path.of(".ci/run"))).contains("mvn -B verify");
    }
}
