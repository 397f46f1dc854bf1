package com.customerhealth.config;

import com.customerhealth.JobFailure;
import com.typesafe.config.Config;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validation settings (conf {@code validation}).
 *
 * @param maxRejectedShare           a table quarantining more than this share of its rows fails the job (exit 3)
 * @param quarantineRowsAfterRunDate rows dated after the run date: quarantined (true) or excluded as not yet known
 * @param surveyScales               survey type -> its answer scale
 * @param ticketPriorities           the allowed ticket priorities
 * @param highTicketPriorities       those that count as high (support.high_priority_tickets)
 */
public record ValidationSettings(double maxRejectedShare, boolean quarantineRowsAfterRunDate,
                                 Map<String, ScoreScale> surveyScales, List<String> ticketPriorities,
                                 List<String> highTicketPriorities) {

    public record ScoreScale(double min, double max) {
    }

    static ValidationSettings from(Config root) {
        double share = root.getDouble("validation.max-rejected-share");
        if (share < 0 || share > 1) {
            throw JobFailure.badConfig("validation.max-rejected-share = " + share + " must be between 0 and 1.", "");
        }
        String policy = root.getString("validation.rows-after-run-date");
        if (!policy.equals("quarantine") && !policy.equals("exclude")) {
            throw JobFailure.badConfig("validation.rows-after-run-date = " + policy + ": use quarantine or exclude.", "");
        }
        Map<String, ScoreScale> scales = new LinkedHashMap<>();
        Config sc = root.getConfig("validation.survey-scales");
        for (String type : List.of("NPS", "CSAT", "CES")) {
            if (!sc.hasPath(type)) {
                throw JobFailure.badConfig("validation.survey-scales." + type + " is missing: give its min and max.", "");
            }
            scales.put(type, new ScoreScale(sc.getDouble(type + ".min"), sc.getDouble(type + ".max")));
        }
        return new ValidationSettings(share, policy.equals("quarantine"), java.util.Collections.unmodifiableMap(scales),
                List.copyOf(root.getStringList("validation.ticket-priorities")),
                List.copyOf(root.getStringList("validation.high-ticket-priorities")));
    }
}
