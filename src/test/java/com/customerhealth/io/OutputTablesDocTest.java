package com.customerhealth.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.customerhealth.GeneratedDocs;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** docs/output-tables.md is what {@link OutputTablesDoc} renders from the code's catalog, to the byte. */
class OutputTablesDocTest {

    @Test
    void docsOutputTablesIsTheRenderedCatalog() throws IOException {
        GeneratedDocs.checkFile(OutputTablesDoc.FILE, OutputTablesDoc.render());
    }

    @Test
    void aPipeOrATagInACommentStaysTextInsideItsCell() {
        assertThat(GeneratedDocs.cell("true when |change| is above; <preset>@cal-<run date>, </b>; <500 -> kept"))
                .isEqualTo("true when \\|change\\| is above; \\<preset>@cal-\\<run date>, \\</b>; <500 -> kept");
    }
}
