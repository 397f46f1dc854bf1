package com.customerhealth.contract;

import com.customerhealth.GeneratedDocs;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The generated blocks of docs/input-contract.md and docs/health-model.md are what {@link ContractDoc} renders. */
class ContractDocTest {

    @Test
    void inputContractTablesAreTheRenderedContract() throws IOException {
        GeneratedDocs.checkBlock(ContractDoc.INPUT_CONTRACT, ContractDoc.CONTRACT_SOURCE, ContractDoc.contractTables());
    }

    @Test
    void featureCatalogIsTheRenderedFeatureEnum() throws IOException {
        GeneratedDocs.checkBlock(ContractDoc.HEALTH_MODEL, ContractDoc.FEATURE_SOURCE, ContractDoc.featureCatalog());
    }
}
