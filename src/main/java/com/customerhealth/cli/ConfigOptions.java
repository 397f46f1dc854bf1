package com.customerhealth.cli;

import com.customerhealth.config.AppConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The configuration options every command that reads conf takes. */
public final class ConfigOptions {
    @Option(names = "--conf", paramLabel = "FILE", description = "HOCON config file layered over the defaults (reference.conf).")
    Path conf;

    @Option(names = "--set", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Override one config key, e.g. --set output.path=/data/health --set model-preset=bigcommerce-10. Repeatable.")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** These options as typed: {@code --conf <absolute path>}, then each {@code --set key=value} (values hold no secret: conf rejects secret keys). */
    List<String> arguments() {
        List<String> args = new ArrayList<>();
        if (conf != null) {
            args.addAll(List.of("--conf", conf.toAbsolutePath().normalize().toString()));
        }
        overrides.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
        return args;
    }

    AppConfig load() {
        return AppConfig.load(conf, overrides);
    }
}
