package com.customerhealth.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InvocationTest {

    @Test
    void aPrintedCommandStartsWithTheLauncherAndEndsWithTheConfQuotedForAShell() {
        Invocation local = new Invocation("./jobs/cli-local.sh", List.of("--conf", "/repo/conf/local.conf", "--set",
                "output.database=", "--set", "calibration.reg-params=[0.01, 0.1]", "--set", "model-preset=it's"));

        assertThat(local.commandLine("approve --version v1 --by \"<your name>\"")).isEqualTo("./jobs/cli-local.sh approve --version v1 "
                + "--by \"<your name>\" --conf /repo/conf/local.conf --set output.database= --set 'calibration.reg-params=[0.01, 0.1]' "
                + "--set 'model-preset=it'\\''s'");
    }

    @Test
    void withoutALauncherTheCommandIsTheCommandsOwnWords() {
        assertThat(Invocation.NONE.commandLine("approve --version v1")).isEqualTo("approve --version v1");
    }
}
