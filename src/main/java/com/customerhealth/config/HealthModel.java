package com.customerhealth.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The health model: three dimensions, each a weighted set of metrics.
 *
 * @param name       preset name
 * @param dimensions in the order relationship, usage, value
 */
public record HealthModel(String name, List<Dimension> dimensions) {
    /** The dimensions every model has, in output-column order. */
    public static final List<String> DIMENSIONS = List.of("relationship", "usage", "value");

    public record Dimension(String name, double weight, List<MetricSpec> metrics) {
    }

    public List<MetricSpec> metrics() {
        return dimensions.stream().flatMap(d -> d.metrics().stream()).toList();
    }

    /** Distinct feature columns the model reads. */
    public Set<FeatureRequest> featureRequests() {
        Set<FeatureRequest> requests = new LinkedHashSet<>();
        metrics().forEach(m -> requests.add(m.featureRequest()));
        return requests;
    }

    /**
     * The weights version: the preset name and a digest of every weight, scale, window and
     * direction, so two runs with the same version scored with the same model.
     */
    public String version() {
        StringBuilder canonical = new StringBuilder(name);
        for (Dimension d : dimensions) {
            canonical.append('|').append(d.name()).append('=').append(d.weight());
            for (MetricSpec m : d.metrics()) {
                canonical.append(';').append(m.name()).append(',').append(m.feature().id()).append(',')
                        .append(m.windowDays()).append(',').append(m.scale()).append(',')
                        .append(m.higherIsBetter()).append(',').append(m.weight());
            }
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return name + "@prior-" + HexFormat.of().formatHex(digest).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Share of the model's total weight that one metric carries when every metric has data. */
    public double effectiveWeight(MetricSpec metric) {
        double dimTotal = dimensions.stream().mapToDouble(Dimension::weight).sum();
        Dimension dim = dimensions.stream().filter(d -> d.name().equals(metric.dimension())).findFirst().orElseThrow();
        double metricTotal = dim.metrics().stream().mapToDouble(MetricSpec::weight).sum();
        return dim.weight() / dimTotal * metric.weight() / metricTotal;
    }
}
