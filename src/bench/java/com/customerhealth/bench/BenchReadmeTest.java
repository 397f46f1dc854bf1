package com.customerhealth.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The results table's row of a run, from its JSON: a --pipeline-only run shows what it did not measure as "not run". */
class BenchReadmeTest {

    private static JsonNode result(boolean pipelineOnly) throws Exception {
        String duck = pipelineOnly ? "" : """
                , "duckdb": {"wall_s": 14.4, "spark_to_duckdb_ratio": 3.54, "comparison": {"matched": true}}""";
        String features = pipelineOnly ? "" : """
                {"name": "features", "wall_s": 50.9},""";
        return new ObjectMapper().readTree("""
                {"date": "2026-12-06", "commit": "abc1234", "pipeline_only": %s,
                 "scale": {"accounts": 1000000, "months": 36, "input_rows": {"usage_daily": 389000000}},
                 "machine": {"cores": 2, "spark_master": "local[2]", "heap_max_bytes": 4294967296, "jvm": "OpenJDK 64-Bit Server VM 17",
                             "load_average_before": [1.0, 2.0, 3.0], "load_average_after": [2.0, 2.5, 3.0]},
                 "stages": [{"name": "read_validate", "wall_s": 600.04}, %s {"name": "score", "wall_s": 100.0},
                            {"name": "cohorts", "wall_s": 700.0}, {"name": "insights", "wall_s": 500.0}, {"name": "calibrate", "wall_s": 1100.0}],
                 "pipeline": {"wall_s": 3000.0, "delta_write_s": 1200.0, "heap_used_max_sampled_bytes": 4294967296, "spill_bytes": 10485760},
                 "calibration": {}%s}
                """.formatted(pipelineOnly, features, duck));
    }

    @Test
    void aPipelineOnlyRunSaysWhatItDidNotMeasure() throws Exception {
        assertThat(BenchReadme.row(result(true))).isEqualTo("| 2026-12-06 | `abc1234` | 1,000,000 | 36 | 389,000,000 | 2 cores, local[2], "
                + "heap 4.0 GB, OpenJDK 17 | 1.00/2.00/3.00 -> 2.00/2.50/3.00 | 600.0 s | not run | not run | not run | 100.0 s | 700.0 s "
                + "| 500.0 s | 1100.0 s | not run | 1200.0 s | 3000.0 s | 4.0 GB | 10 MB |");
        assertThat(BenchReadme.row(result(false))).contains("| 600.0 s | 50.9 s | 14.4 s | 3.54 | 100.0 s |");
    }
}
