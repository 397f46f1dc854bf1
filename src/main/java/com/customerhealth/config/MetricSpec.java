package com.customerhealth.config;

import com.customerhealth.contract.FeatureRequest;
import com.customerhealth.contract.Feature;

/**
 * One metric of the health model.
 *
 * @param name           unique metric name (a key of component_scores)
 * @param dimension      relationship | usage | value
 * @param feature        the source feature
 * @param windowDays     look-back window of the feature
 * @param scale          how the raw feature value becomes 0-100
 * @param higherIsBetter direction; when false the component is 100 - scaled
 * @param weight         prior weight inside its dimension (relative)
 */
public record MetricSpec(String name, String dimension, Feature feature, int windowDays, Scale scale,
                         boolean higherIsBetter, double weight) {

    /** Name of the raw feature column this metric reads, e.g. {@code usage__active_user_ratio__30d}. */
    public String featureColumn() {
        return FeatureRequest.of(feature, windowDays).column();
    }

    public FeatureRequest featureRequest() {
        return FeatureRequest.of(feature, windowDays);
    }

    /** Normalisation of a raw value to 0-100. */
    public record Scale(Type type, double min, double max) {
        public enum Type { LINEAR, PERCENTILE }

        public static Scale linear(double min, double max) {
            return new Scale(Type.LINEAR, min, max);
        }

        public static Scale percentile() {
            return new Scale(Type.PERCENTILE, Double.NaN, Double.NaN);
        }
    }
}
