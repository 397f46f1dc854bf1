package com.customerhealth.contract;

/** A feature over one window: what the feature step computes, one column each. */
public record FeatureRequest(Feature feature, int windowDays) {

    public static FeatureRequest of(Feature feature, int windowDays) {
        return new FeatureRequest(feature, windowDays);
    }

    /** Column name in the feature table: the feature id with dots replaced, plus the window. */
    public String column() {
        return feature.id().replace('.', '_') + "_" + windowDays + "d";
    }
}
