package com.customerhealth.actions;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.collect_list;

import com.customerhealth.JobFailure;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Account hierarchies (accounts.parent_account_id): the links that hold, the ones that do not (an unknown parent, a
 * cycle), and account_health_rollup, each parent's group on a score date. Pure: accounts and scores in, rows out.
 *
 * <p>A parent's group is the parent and every account below it at any depth (children, their children ...). The roll-up
 * is over the group's accounts scored on D: the MRR-weighted health score, the tiers of the accounts below the parent,
 * and the worst of them (lowest score; ties: more MRR, then account id).
 */
public final class AccountHierarchy {
    /** Depth past which a chain of parents is taken for a mistake rather than walked further. */
    static final int MAX_DEPTH = 100;

    private AccountHierarchy() {
    }

    /** The links of the accounts table and what is wrong with each: rule null (it holds), unknown_parent or parent_cycle. */
    public static Dataset<Row> checkedLinks(Dataset<Row> accounts) {
        Dataset<Row> ids = accounts.select(col("account_id").as("_id"));
        Dataset<Row> links = accounts.where(col("parent_account_id").isNotNull()).select("account_id", "parent_account_id");
        Dataset<Row> known = links.join(ids, col("parent_account_id").equalTo(col("_id")), "left_semi");
        Dataset<Row> inCycle = ancestors(known).where(col("account_id").equalTo(col("ancestor_id"))).select(col("account_id").as("_c"))
                .distinct();
        return links.join(ids, col("parent_account_id").equalTo(col("_id")), "left")
                .join(inCycle, col("account_id").equalTo(col("_c")), "left")
                .withColumn("rule", when(col("_id").isNull(), lit("unknown_parent")).when(col("_c").isNotNull(), lit("parent_cycle")))
                .drop("_id", "_c");
    }

    /** The quarantined links in the rejected_rows columns (but run_id and run_date): table_name account_hierarchy. */
    public static Dataset<Row> rejected(Dataset<Row> checkedLinks) {
        return checkedLinks.where(col("rule").isNotNull()).select(lit("account_hierarchy").as("table_name"), col("rule"),
                lit("parent_account_id").as("column_name"),
                array(org.apache.spark.sql.functions.concat(col("rule"), lit(":parent_account_id"))).as("violations"),
                to_json(struct(col("account_id"), col("parent_account_id"))).as("row_json"));
    }

    /**
     * (account_id, ancestor_id, depth) for every ancestor of every account over {@code links} (account_id,
     * parent_account_id), one join per level. With a cycle, its accounts become their own ancestors, and the walk ends once
     * no new pair appears.
     */
    static Dataset<Row> ancestors(Dataset<Row> links) {
        Dataset<Row> parents = links.select(col("account_id").as("_child"), col("parent_account_id").as("_parent"));
        Dataset<Row> all = links.select(col("account_id"), col("parent_account_id").as("ancestor_id"), lit(1).as("depth")).localCheckpoint();
        Dataset<Row> frontier = all;
        for (int depth = 2; ; depth++) {
            Dataset<Row> next = frontier.join(parents, col("ancestor_id").equalTo(col("_child")))
                    .select(col("account_id"), col("_parent").as("ancestor_id"), lit(depth).as("depth"))
                    .join(all, new String[] {"account_id", "ancestor_id"}, "left_anti").distinct().localCheckpoint();
            if (next.isEmpty()) {
                return all;
            }
            if (depth > MAX_DEPTH) {
                throw new JobFailure(JobFailure.BAD_INPUT, "accounts.parent_account_id: a chain of parents is deeper than " + MAX_DEPTH
                        + " levels: check the hierarchy in the source.", "");
            }
            all = all.unionByName(next).localCheckpoint();
            frontier = next;
        }
    }

    /**
     * account_health_rollup rows of a score date (without score_date and run_id): one per account that has accounts below it
     * through links that hold, and a group with at least one account scored on D.
     *
     * @param checkedLinks {@link #checkedLinks}
     * @param scores       the date's account_health_scores rows
     */
    public static Dataset<Row> rollup(Dataset<Row> checkedLinks, Dataset<Row> accounts, Dataset<Row> scores) {
        Dataset<Row> below = ancestors(checkedLinks.where(col("rule").isNull()).select("account_id", "parent_account_id"))
                .select(col("ancestor_id").as("parent_account_id"), col("account_id"));
        Dataset<Row> s = scores.select("account_id", "account_name", "mrr", "health_score", "health_tier");
        Dataset<Row> parentsWithSelf = below.select("parent_account_id").distinct()
                .select(col("parent_account_id"), col("parent_account_id").as("account_id"), lit(true).as("_self"));
        Dataset<Row> members = below.withColumn("_self", lit(false)).unionByName(parentsWithSelf)
                .join(s, new String[] {"account_id"}, "left");
        Column scored = col("health_score").isNotNull();
        Column mrr = col("mrr").cast("double");
        // The worst of the accounts below the parent: lowest score, then more MRR, then account id.
        Column worst = min(when(col("_self").equalTo(false).and(scored),
                struct(col("health_score"), mrr.multiply(-1).as("neg_mrr"), col("account_id"), col("account_name"), col("health_tier"))));
        Dataset<Row> groups = members.groupBy("parent_account_id").agg(
                count_if(col("_self").equalTo(false)).cast("long").as("accounts_below"),
                count_if(col("_self").equalTo(false).and(scored)).cast("long").as("scored_below"),
                sum(when(scored, col("mrr"))).as("group_mrr"),
                round(sum(when(scored, mrr.multiply(col("health_score")))).divide(sum(when(scored, mrr))), 2).as("group_health_score"),
                first(when(col("_self"), col("health_score")), true).as("parent_health_score"),
                first(when(col("_self"), col("health_tier")), true).as("parent_health_tier"),
                worst.as("_worst"));
        Dataset<Row> tiers = members.where(col("_self").equalTo(false).and(scored)).groupBy("parent_account_id", "health_tier")
                .agg(count(lit(1)).as("_n"))
                // Sorted by tier: collect_list keeps arrival order, which changes with the join plan, and the map would with it.
                .groupBy("parent_account_id").agg(map_from_entries(array_sort(collect_list(struct(col("health_tier"), col("_n")))))
                        .as("tiers_below"));
        Dataset<Row> names = accounts.select(col("account_id").as("parent_account_id"), col("account_name").as("parent_account_name"),
                col("csm_owner").as("parent_csm_owner"));
        return groups.where(col("group_mrr").isNotNull())
                .join(tiers, new String[] {"parent_account_id"}, "left")
                .join(names, new String[] {"parent_account_id"}, "left")
                .withColumn("worst_account_id", col("_worst.account_id"))
                .withColumn("worst_account_name", col("_worst.account_name"))
                .withColumn("worst_health_score", col("_worst.health_score"))
                .withColumn("worst_health_tier", col("_worst.health_tier"))
                .drop("_worst");
    }
}
