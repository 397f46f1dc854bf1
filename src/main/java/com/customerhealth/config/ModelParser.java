package com.customerhealth.config;

import static com.customerhealth.config.ConfigValues.positive;

import com.customerhealth.JobFailure;
import com.customerhealth.config.MetricSpec.Scale;
import com.customerhealth.contract.Feature;
import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads the health model of conf {@code model-preset} from {@code models.<preset>}, naming the key of every mistake. */
final class ModelParser {
    private ModelParser() {
    }

    static HealthModel from(Config config) {
        String preset = config.getString("model-preset");
        String base = "models." + preset;
        if (!config.hasPath(base)) {
            throw JobFailure.badConfig("model-preset = " + preset + " names no model: use one of "
                    + config.getObject("models").keySet() + ".", "");
        }
        Config m = config.getConfig(base);
        List<HealthModel.Dimension> dimensions = new ArrayList<>();
        Set<String> metricNames = new HashSet<>();
        for (String dimName : m.getObject("dimensions").keySet()) {
            if (!HealthModel.DIMENSIONS.contains(dimName)) {
                throw JobFailure.badConfig(base + ".dimensions." + dimName + " is not a dimension: use "
                        + HealthModel.DIMENSIONS + ".", "");
            }
        }
        for (String dimName : HealthModel.DIMENSIONS) {
            String dimPath = base + ".dimensions." + dimName;
            if (!config.hasPath(dimPath)) {
                continue;
            }
            Config d = config.getConfig(dimPath);
            double dimWeight = positive(d.getDouble("weight"), dimPath + ".weight");
            List<MetricSpec> metrics = new ArrayList<>();
            List<String> names = new ArrayList<>(d.getObject("metrics").keySet());
            names.sort(Comparator.naturalOrder());
            for (String metricName : names) {
                String mp = dimPath + ".metrics." + metricName;
                if (!metricNames.add(metricName)) {
                    throw JobFailure.badConfig(mp + ": metric name " + metricName + " is used twice; metric names must be unique.", "");
                }
                metrics.add(metric(config.getConfig(mp), mp, metricName, dimName));
            }
            if (metrics.isEmpty()) {
                throw JobFailure.badConfig(dimPath + " needs at least one metric.", "");
            }
            dimensions.add(new HealthModel.Dimension(dimName, dimWeight, List.copyOf(metrics)));
        }
        if (dimensions.isEmpty()) {
            throw JobFailure.badConfig(base + " needs at least one dimension.", "");
        }
        return new HealthModel(preset, List.copyOf(dimensions));
    }

    private static MetricSpec metric(Config c, String path, String name, String dimension) {
        String featureId = c.getString("feature");
        Feature feature = Feature.byId(featureId).orElseThrow(() -> JobFailure.badConfig(
                path + ".feature = " + featureId + " is not in the feature catalog: see docs/health-model.md, \"Feature catalog\".", ""));
        int window = c.getInt("window-days");
        if (window <= 0) {
            throw JobFailure.badConfig(path + ".window-days must be above 0.", "");
        }
        String scaleType = c.getString("scale.type");
        Scale scale;
        if (scaleType.equals("linear")) {
            double min = c.getDouble("scale.min");
            double max = c.getDouble("scale.max");
            if (!(max > min)) {
                throw JobFailure.badConfig(path + ".scale: max must be above min.", "Got min " + min + ", max " + max);
            }
            scale = Scale.linear(min, max);
        } else if (scaleType.equals("percentile")) {
            scale = Scale.percentile();
        } else {
            throw JobFailure.badConfig(path + ".scale.type = " + scaleType + ": use linear or percentile.", "");
        }
        String direction = c.getString("direction");
        if (!direction.equals("higher-is-better") && !direction.equals("lower-is-better")) {
            throw JobFailure.badConfig(path + ".direction = " + direction + ": use higher-is-better or lower-is-better.", "");
        }
        return new MetricSpec(name, dimension, feature, window, scale, direction.equals("higher-is-better"),
                positive(c.getDouble("weight"), path + ".weight"));
    }
}
