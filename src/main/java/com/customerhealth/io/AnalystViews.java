package com.customerhealth.io;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * The views analysts ask for first, created (or replaced) in {@code output.database} with a comment each, over the
 * output tables by name: today's at-risk accounts with their top concern and MRR, this month's tier movements, and the
 * NRR trend. A view is made only when every table it reads is in the catalog, so a command that wrote some tables
 * makes the views it can; the SQL shell and every job command make them again, so they follow the tables.
 */
public final class AnalystViews {
    /** A view: its name, comment, the tables it reads and its query ({@code %1$s} is the quoted database). */
    public record View(String name, String comment, List<OutputTable> reads, String query) {
    }

    public static final List<View> ALL = List.of(
            new View("at_risk_accounts_today",
                    "Today's customers in the at_risk and critical tiers (account_health_current, is_current_customer), with "
                            + "their MRR and top concern (account_health_drivers, concern_rank 1), largest MRR first.",
                    List.of(OutputTables.ACCOUNT_HEALTH_CURRENT, OutputTables.ACCOUNT_HEALTH_DRIVERS), """
                    SELECT c.account_id, c.account_name, c.industry, c.size_band, c.csm_owner, c.mrr, c.health_score, c.health_tier,
                           d.concern AS top_concern, c.score_date
                    FROM %1$s.account_health_current c
                    LEFT JOIN %1$s.account_health_drivers d
                      ON d.account_id = c.account_id AND d.score_date = c.score_date AND d.concern_rank = 1
                    WHERE c.is_current_customer AND c.health_tier IN ('at_risk', 'critical')
                    ORDER BY c.mrr DESC, c.account_id"""),
            new View("tier_movement_this_month",
                    "Accounts whose health tier changed this month: the newest score date's tier against the tier at the newest "
                            + "score date before that month began (account_health_scores); movement up (healthier) or down.",
                    List.of(OutputTables.ACCOUNT_HEALTH_SCORES), """
                    WITH now AS (SELECT max(score_date) AS score_date FROM %1$s.account_health_scores),
                    before AS (SELECT max(s.score_date) AS score_date FROM %1$s.account_health_scores s, now
                               WHERE s.score_date < trunc(now.score_date, 'MM'))
                    SELECT n.account_id, n.account_name, n.csm_owner, n.mrr, b.health_tier AS tier_before, n.health_tier AS tier_now,
                           CASE WHEN %2$s(n.health_tier) > %2$s(b.health_tier) THEN 'up'
                                WHEN %2$s(n.health_tier) < %2$s(b.health_tier) THEN 'down' ELSE 'changed' END AS movement,
                           b.health_score AS score_before, n.health_score AS score_now, b.score_date AS date_before,
                           n.score_date AS date_now
                    FROM %1$s.account_health_scores n JOIN now ON n.score_date = now.score_date
                    JOIN (SELECT s.* FROM %1$s.account_health_scores s JOIN before ON s.score_date = before.score_date) b
                      ON b.account_id = n.account_id
                    WHERE b.health_tier <> n.health_tier"""),
            new View("nrr_trend",
                    "Net and gross revenue retention month by month, overall, from the newest as_of_month of "
                            + "revenue_metrics_monthly: the month's and the trailing twelve months' NRR and GRR, MRR begin and end.",
                    List.of(OutputTables.REVENUE_METRICS_MONTHLY), """
                    SELECT month_end, mrr_begin, mrr_end, nrr, grr, nrr_ttm, grr_ttm
                    FROM %1$s.revenue_metrics_monthly
                    WHERE grouping = 'overall' AND as_of_month = (SELECT max(as_of_month) FROM %1$s.revenue_metrics_monthly)
                    ORDER BY month_end"""));

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AnalystViews.class);

    private AnalystViews() {
    }

    /**
     * Creates or replaces in {@code database} every view whose tables are all in it; returns the views made. Nothing
     * without a database.
     */
    public static List<String> create(SparkSession spark, String database) {
        List<String> made = new ArrayList<>();
        if (database == null) {
            return made;
        }
        String db = "`" + database.replace("`", "``") + "`";
        for (View v : ALL) {
            if (v.reads().stream().allMatch(t -> spark.catalog().tableExists(database, t.name()))) {
                String query = String.format(v.query(), db, "");
                try {
                    spark.sql("CREATE OR REPLACE VIEW " + db + ".`" + v.name() + "` COMMENT '" + v.comment().replace("'", "\\'")
                            + "' AS " + tierRanks(query));
                    made.add(v.name());
                } catch (Exception e) { // e.g. a table written by an older version, without a column the view reads
                    LOG.warn("View {}.{} not made: {}. The next run of the jobs writes the columns it needs.", database, v.name(),
                            com.customerhealth.JobFailure.firstLine(e));
                }
            }
        }
        return made;
    }

    /** {@code (tier)} after the rank placeholder, as a CASE: critical 1, at_risk 2, needs_attention 3, healthy 4. */
    private static String tierRanks(String query) {
        return query.replaceAll("\\((n|b)\\.health_tier\\)", "(CASE $1.health_tier WHEN 'critical' THEN 1 WHEN 'at_risk' THEN 2 "
                + "WHEN 'needs_attention' THEN 3 WHEN 'healthy' THEN 4 END)");
    }
}
