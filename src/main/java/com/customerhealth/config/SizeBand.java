package com.customerhealth.config;

import com.customerhealth.JobFailure;
import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A company-size band (conf {@code segments.size-bands}): employee counts from minEmployees up to the next band's. */
public record SizeBand(String name, int minEmployees) {

    /** The bands in ascending min-employees; the first starts at 0. */
    static List<SizeBand> listFrom(Config root) {
        List<SizeBand> bands = new ArrayList<>();
        for (Config b : root.getConfigList("segments.size-bands")) {
            bands.add(new SizeBand(b.getString("name"), b.getInt("min-employees")));
        }
        bands.sort(Comparator.comparingInt(SizeBand::minEmployees));
        if (bands.isEmpty() || bands.get(0).minEmployees() > 0) {
            throw JobFailure.badConfig("segments.size-bands must start with a band whose min-employees is 0.", "Got " + bands);
        }
        return List.copyOf(bands);
    }
}
