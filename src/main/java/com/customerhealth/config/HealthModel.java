package com.customerhealth.config;

import com.customerhealth.contract.FeatureRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The health model: three dimensions, each a weighted set of metrics.
 *
 * <p>A model read from conf is the expert prior, versioned {@code <preset>@prior-<digest>}. A
 * calibrated model ({@link #withPoints}) keeps the prior's metrics, scales and windows and carries
 * the weights of an approved {@code health_weights} version, under that version's name.
 *
 * @param name              preset name
 * @param dimensions        in the order relationship, usage, value
 * @param calibratedVersion the health_weights version these weights come from; null for the prior
 */
public record HealthModel(String name, List<Dimension> dimensions, String calibratedVersion) {

    public HealthModel(String name, List<Dimension> dimensions) {
        this(name, dimensions, null);
    }
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
     * The weights version: a calibrated model's health_weights version, else the preset name and a
     * digest of every weight, scale, window and direction, so two runs with the same version scored
     * with the same model.
     */
    public String version() {
        return calibratedVersion != null ? calibratedVersion : name + "@prior-" + digest(10);
    }

    /** A hex digest of every weight, scale, window and direction of the model. */
    public String digest(int length) {
        return sha256(canonical(true), length);
    }

    /**
     * A hex digest of the model without its weights: its metrics, features, windows, scales and
     * directions. A calibrated weights version applies only to a model with the same structure digest.
     */
    public String structureDigest() {
        return sha256(canonical(false), 12);
    }

    private String canonical(boolean withWeights) {
        StringBuilder canonical = new StringBuilder(name);
        for (Dimension d : dimensions) {
            canonical.append('|').append(d.name());
            if (withWeights) {
                canonical.append('=').append(d.weight());
            }
            for (MetricSpec m : d.metrics()) {
                canonical.append(';').append(m.name()).append(',').append(m.feature().id()).append(',')
                        .append(m.windowDays()).append(',').append(m.scale()).append(',').append(m.higherIsBetter());
                if (withWeights) {
                    canonical.append(',').append(m.weight());
                }
            }
        }
        return canonical.toString();
    }

    private static String sha256(String text, int length) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, length);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Share of the model's total weight that one metric carries when every metric has data. */
    public double effectiveWeight(MetricSpec metric) {
        double dimTotal = dimensions.stream().mapToDouble(Dimension::weight).sum();
        Dimension dim = dimensions.stream().filter(d -> d.name().equals(metric.dimension())).findFirst().orElseThrow();
        double metricTotal = dim.metrics().stream().mapToDouble(MetricSpec::weight).sum();
        return metricTotal == 0 ? 0.0 : dim.weight() / dimTotal * metric.weight() / metricTotal;
    }

    /** Every metric's effective weight in points of 100, in model order. */
    public Map<String, Double> points() {
        Map<String, Double> out = new LinkedHashMap<>();
        metrics().forEach(m -> out.put(m.name(), 100 * effectiveWeight(m)));
        return out;
    }

    /**
     * The same metrics with other effective weights, in points (0 or more, summing to about 100),
     * under {@code version}: each dimension's weight is the sum of its metrics' points and each
     * metric's weight within its dimension is its points, so {@link #effectiveWeight} gives them back.
     */
    public HealthModel withPoints(String version, Map<String, Double> metricPoints) {
        if (!metricPoints.keySet().equals(points().keySet())) {
            throw new IllegalArgumentException("Weights of version " + version + " are for metrics " + metricPoints.keySet()
                    + ", but model " + name + " has " + points().keySet());
        }
        List<Dimension> dims = new ArrayList<>();
        for (Dimension d : dimensions) {
            List<MetricSpec> ms = d.metrics().stream().map(m -> new MetricSpec(m.name(), m.dimension(), m.feature(),
                    m.windowDays(), m.scale(), m.higherIsBetter(), metricPoints.get(m.name()))).toList();
            dims.add(new Dimension(d.name(), ms.stream().mapToDouble(MetricSpec::weight).sum(), ms));
        }
        return new HealthModel(name, List.copyOf(dims), version);
    }
}
