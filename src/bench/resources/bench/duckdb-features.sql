-- The point-in-time features of the default model preset (template-25-25-50) for every customer on every
-- as-of date, as FeatureStep computes them (docs/health-model.md, "Feature catalog"), over the warehouse's Parquet files.
-- Run by DuckDbFeatures in the benchmark; {{name}} placeholders are filled in before it runs.
--
-- Point-in-time rules, as in FeatureStep: a row counts for D only when its event date is in (D - w, D]
-- (usage_date, opened_at, responded_at, due_at, assessed_at); a date a row carries beyond D is treated
-- as not yet happened (an invoice paid after D is unpaid as of D). Each source is joined once to the
-- as-of dates on its widest window and aggregated per (account, D) with one filtered aggregate per
-- narrower window, the same one-pass shape as FeatureStep's explode. Ratios are written in the same
-- order of double operations as FeatureStep's, so equal inputs give equal doubles (MRR growth: Spark
-- divides decimals to 10 places, DuckDB in double; the difference is below 1e-10).

CREATE OR REPLACE TEMP TABLE bench_as_of_dates AS
SELECT CAST(d AS DATE) AS as_of_date FROM (VALUES {{as_of_dates}}) t(d);

CREATE OR REPLACE TEMP TABLE duck_features AS
WITH periods AS (
    SELECT account_id, start_date, end_date, mrr, seats FROM read_parquet('{{subscription_periods}}')
),
-- Customers on D: the periods covering D summed, MRR above 0; only accounts the accounts table holds.
population AS (
    SELECT p.account_id, d.as_of_date, sum(p.mrr) AS mrr, CAST(sum(p.seats) AS BIGINT) AS seats
    FROM periods p
    JOIN bench_as_of_dates d ON p.start_date <= d.as_of_date AND (p.end_date IS NULL OR p.end_date >= d.as_of_date)
    GROUP BY p.account_id, d.as_of_date
    HAVING sum(p.mrr) > 0
),
customers AS (
    SELECT pop.account_id, pop.as_of_date, pop.mrr, pop.seats, a.onboarded_at
    FROM population pop JOIN read_parquet('{{accounts}}') a ON a.account_id = pop.account_id
),
-- subscriptions.mrr_growth_yoy, lag 365: MRR on D - 365 (periods covering that day, summed).
mrr_lagged AS (
    SELECT p.account_id, d.as_of_date, sum(p.mrr) AS mrr_then
    FROM periods p
    JOIN bench_as_of_dates d ON p.start_date <= d.as_of_date - 365 AND (p.end_date IS NULL OR p.end_date >= d.as_of_date - 365)
    GROUP BY p.account_id, d.as_of_date
),
-- usage_daily: widest window 90 days; active_user_ratio and active_days_share over 30.
usage AS (
    SELECT u.account_id, d.as_of_date,
           sum(u.active_users) FILTER (WHERE d.as_of_date - u.usage_date < 30) AS user_days_30,
           count(*) FILTER (WHERE d.as_of_date - u.usage_date < 30 AND u.active_users > 0) AS active_days_30,
           min(u.usage_date) FILTER (WHERE d.as_of_date - u.usage_date < 30) AS first_day_30,
           sum(u.active_users) AS user_days_90,
           sum(u.key_feature_events) AS kfe_90,
           count(*) FILTER (WHERE u.active_users > 0) AS active_days_90,
           sum(u.features_used) FILTER (WHERE u.active_users > 0) AS features_90
    FROM read_parquet('{{usage_daily}}') u
    JOIN bench_as_of_dates d ON u.usage_date <= d.as_of_date AND u.usage_date > d.as_of_date - 90
    GROUP BY u.account_id, d.as_of_date
),
tickets AS (
    SELECT t.account_id, d.as_of_date, count(*) AS tickets_90
    FROM read_parquet('{{support_tickets}}') t
    JOIN bench_as_of_dates d ON t.opened_at <= d.as_of_date AND t.opened_at > d.as_of_date - 90
    GROUP BY t.account_id, d.as_of_date
),
nps AS (
    SELECT s.account_id, d.as_of_date,
           count(*) FILTER (WHERE s.survey_type = 'NPS') AS nps_n,
           count(*) FILTER (WHERE s.survey_type = 'NPS' AND s.score >= 9) AS promoters,
           count(*) FILTER (WHERE s.survey_type = 'NPS' AND s.score <= 6) AS detractors
    FROM read_parquet('{{survey_responses}}') s
    JOIN bench_as_of_dates d ON s.responded_at <= d.as_of_date AND s.responded_at > d.as_of_date - 365
    GROUP BY s.account_id, d.as_of_date
),
-- Invoices windowed on the due date; paid on time = paid by D and on or before due_at.
invoices AS (
    SELECT i.account_id, d.as_of_date, count(*) AS due_180,
           count(*) FILTER (WHERE i.paid_at IS NOT NULL AND i.paid_at <= d.as_of_date AND i.paid_at <= i.due_at) AS on_time_180
    FROM read_parquet('{{invoices}}') i
    JOIN bench_as_of_dates d ON i.due_at <= d.as_of_date AND i.due_at > d.as_of_date - 180
    GROUP BY i.account_id, d.as_of_date
),
-- The latest assessment in (D - 180, D] (its key is (account_id, assessed_at): no ties).
csm AS (
    SELECT c.account_id, d.as_of_date,
           arg_max(CASE c.renewal_intent WHEN 'committed' THEN 100.0 WHEN 'neutral' THEN 50.0 ELSE 0.0 END, c.assessed_at) AS renewal_intent,
           arg_max(c.relationship_rating, c.assessed_at) AS relationship_rating,
           arg_max(c.engagement, c.assessed_at) AS engagement,
           arg_max(c.growth_potential, c.assessed_at) AS growth_potential
    FROM read_parquet('{{csm_assessments}}') c
    JOIN bench_as_of_dates d ON c.assessed_at <= d.as_of_date AND c.assessed_at > d.as_of_date - 180
    GROUP BY c.account_id, d.as_of_date
),
joined AS (
    SELECT c.account_id, c.as_of_date, c.mrr, c.seats,
           -- observed days = min(30, D - start + 1), start = the earlier of onboarded_at and the first usage row in the window
           coalesce(least(30, greatest(CAST(c.as_of_date - least(c.onboarded_at, u.first_day_30) AS BIGINT) + 1, 1)), 30) AS observed_30,
           u.user_days_30, u.active_days_30, u.user_days_90, u.kfe_90, u.active_days_90, u.features_90,
           t.tickets_90, n.nps_n, n.promoters, n.detractors, v.due_180, v.on_time_180,
           k.renewal_intent, k.relationship_rating, k.engagement, k.growth_potential, y.mrr_then
    FROM customers c
    LEFT JOIN usage u ON u.account_id = c.account_id AND u.as_of_date = c.as_of_date
    LEFT JOIN tickets t ON t.account_id = c.account_id AND t.as_of_date = c.as_of_date
    LEFT JOIN nps n ON n.account_id = c.account_id AND n.as_of_date = c.as_of_date
    LEFT JOIN invoices v ON v.account_id = c.account_id AND v.as_of_date = c.as_of_date
    LEFT JOIN csm k ON k.account_id = c.account_id AND k.as_of_date = c.as_of_date
    LEFT JOIN mrr_lagged y ON y.account_id = c.account_id AND y.as_of_date = c.as_of_date
)
SELECT account_id, as_of_date, mrr, seats,
       CAST(renewal_intent AS DOUBLE) AS csm_renewal_intent_180d,
       CAST(relationship_rating AS DOUBLE) AS csm_relationship_rating_180d,
       CAST(engagement AS DOUBLE) AS csm_engagement_180d,
       CAST(growth_potential AS DOUBLE) AS csm_growth_potential_180d,
       CASE WHEN nps_n > 0 THEN CAST(promoters - detractors AS DOUBLE) * CAST(100.0 AS DOUBLE) / CAST(nps_n AS DOUBLE) END
           AS surveys_nps_365d,
       CASE WHEN seats > 0 THEN CAST(coalesce(user_days_30, 0) AS DOUBLE) / (CAST(observed_30 AS DOUBLE) * CAST(seats AS DOUBLE)) END
           AS usage_active_user_ratio_30d,
       CAST(coalesce(active_days_30, 0) AS DOUBLE) / CAST(observed_30 AS DOUBLE) AS usage_active_days_share_30d,
       coalesce(CASE WHEN coalesce(active_days_90, 0) <> 0 THEN CAST(features_90 AS DOUBLE) / CAST(active_days_90 AS DOUBLE) END,
                CAST(0 AS DOUBLE)) AS usage_features_used_90d,
       coalesce(CASE WHEN coalesce(user_days_90, 0) <> 0 THEN CAST(kfe_90 AS DOUBLE) / CAST(user_days_90 AS DOUBLE) END,
                CAST(0 AS DOUBLE)) AS usage_key_feature_events_per_active_user_90d,
       CASE WHEN seats > 0 THEN CAST(coalesce(tickets_90, 0) AS DOUBLE) * CAST(10 AS DOUBLE) / CAST(seats AS DOUBLE) END
           AS support_tickets_per_10_seats_90d,
       CASE WHEN due_180 > 0 THEN CAST(on_time_180 AS DOUBLE) / CAST(due_180 AS DOUBLE) END AS invoices_on_time_payment_rate_180d,
       CASE WHEN mrr_then > 0 THEN CAST(mrr AS DOUBLE) / CAST(mrr_then AS DOUBLE) - 1 END AS subscriptions_mrr_growth_yoy_365d
FROM joined;
