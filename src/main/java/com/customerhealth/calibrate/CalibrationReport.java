package com.customerhealth.calibrate;

import java.time.LocalDate;
import java.util.List;

/**
 * Everything one calibration run found, as plain values: the source of the {@code calibration_runs}
 * rows, the report's JSON, HTML and Markdown. Weights are in points (a model's weights sum to 100);
 * rates and AUCs are fractions (0..1). Nullable fields are null when the run proposed nothing.
 *
 * @param status           {@code proposed} or {@code no_proposal}
 * @param statusReason     why nothing was proposed, as a plain sentence; null when proposed
 * @param currentVersion   the weights scoring uses today (the last approved version, else the prior)
 * @param proposedVersion  the version this run proposes; null when it proposes nothing
 * @param involuntaryCounted whether failed-payment churn counts as churn in the labels
 * @param weights          one row per metric of the model, in model order
 * @param dimensions       the three dimensions' weight totals (sums of their metrics' weights)
 * @param current          holdout evaluation of today's weights; null when the snapshots cannot judge any
 *                         weights (no churn event, or nothing but churn, in the training or holdout snapshots)
 * @param proposed         holdout evaluation of the proposed weights; null when nothing is proposed
 * @param segments         per-industry and per-size-band fits (only segments with enough churn events)
 * @param cohortChurn      cohort churn by industry x size band from the cohorts job (empty when it has not run)
 * @param customerSegments accounts and MRR per segment x tier from the insights job (empty when it has not run)
 * @param successProfile   the success profile's best-ranked values from the insights job (empty when it has not run)
 * @param successLine      "Accounts like this stay: ..." (null when the insights job has not run)
 * @param caveats          plain sentences: small samples, flagged metrics, what the labels leave out
 * @param approveCommand   the exact command that approves the proposed version; null when nothing is proposed
 * @param money            the money at stake on the run date; null when nothing is proposed
 * @param drift            score_drift of the run date from the insights job (empty when it has not run)
 */
public record CalibrationReport(
        String runId,
        LocalDate runDate,
        String modelPreset,
        String status,
        String statusReason,
        String currentVersion,
        String proposedVersion,
        DataWindow data,
        Fit fit,
        List<WeightRow> weights,
        List<DimensionRow> dimensions,
        Evaluation current,
        Evaluation proposed,
        List<SegmentFit> segments,
        List<CohortCell> cohortChurn,
        List<SegmentCell> customerSegments,
        List<ProfileCell> successProfile,
        String successLine,
        List<String> caveats,
        String approveCommand,
        Money money,
        List<DriftCell> drift) {

    public CalibrationReport(String runId, LocalDate runDate, String modelPreset, String status, String statusReason,
                             String currentVersion, String proposedVersion, DataWindow data, Fit fit, List<WeightRow> weights,
                             List<DimensionRow> dimensions, Evaluation current, Evaluation proposed, List<SegmentFit> segments,
                             List<CohortCell> cohortChurn, List<SegmentCell> customerSegments, List<ProfileCell> successProfile,
                             String successLine, List<String> caveats, String approveCommand) {
        this(runId, runDate, modelPreset, status, statusReason, currentVersion, proposedVersion, data, fit, weights, dimensions,
                current, proposed, segments, cohortChurn, customerSegments, successProfile, successLine, caveats, approveCommand, null, List.of());
    }

    /** The same report with the money at stake. */
    public CalibrationReport withMoney(Money m) {
        return new CalibrationReport(runId, runDate, modelPreset, status, statusReason, currentVersion, proposedVersion, data, fit,
                weights, dimensions, current, proposed, segments, cohortChurn, customerSegments, successProfile, successLine, caveats,
                approveCommand, m, drift);
    }

    /**
     * The money at stake (docs/calibration.md, "From score to money"): today's customers scored on the run date with
     * today's weights and with the proposal, each with its own score-to-probability map.
     *
     * @param asOf                     the run date the customers are scored on
     * @param horizonDays              the probability's horizon
     * @param atRiskAccountsToday      accounts in the at_risk or critical tier with today's weights
     * @param atRiskMrrToday           their MRR
     * @param atRiskAccountsProposed   the same with the proposal
     * @param atRiskMrrProposed        their MRR
     * @param expectedChurnMrrToday    sum of mrr_at_risk (probability x MRR) over all customers, today's weights and map
     * @param expectedChurnMrrProposed the same with the proposal and its map
     * @param movedAccounts            accounts whose tier the proposal changes
     * @param movedMrr                 their MRR
     * @param tiers                    accounts, MRR and MRR at risk per tier, today and with the proposal
     * @param moves                    accounts whose tier the proposal changes, by (from, to), with their MRR
     * @param byIndustry               MRR at risk per industry, today and with the proposal
     * @param bySizeBand               the same per size band
     * @param holdoutChurnedMrr        MRR of the holdout snapshots that churned (null without MRR in the snapshots)
     * @param holdoutFlaggedToday      of it, the MRR today's weights had in the at_risk or critical tier
     * @param holdoutFlaggedProposed   the same with the proposal
     */
    public record Money(LocalDate asOf, int horizonDays, long atRiskAccountsToday, double atRiskMrrToday, long atRiskAccountsProposed,
                        double atRiskMrrProposed, double expectedChurnMrrToday, double expectedChurnMrrProposed, long movedAccounts,
                        double movedMrr, List<MoneyRow> tiers, List<TierMove> moves, List<MoneyRow> byIndustry,
                        List<MoneyRow> bySizeBand, Double holdoutChurnedMrr, Double holdoutFlaggedToday, Double holdoutFlaggedProposed) {
        /** Only the holdout's figures (the calibrator's part; the job adds today's). */
        public static Money holdoutOnly(LocalDate asOf, int horizonDays, Double churned, Double today, Double proposed) {
            return new Money(asOf, horizonDays, 0, 0, 0, 0, 0, 0, 0, 0, List.of(), List.of(), List.of(), List.of(), churned, today, proposed);
        }

        public Money withHoldout(Double churned, Double today, Double proposed) {
            return new Money(asOf, horizonDays, atRiskAccountsToday, atRiskMrrToday, atRiskAccountsProposed, atRiskMrrProposed,
                    expectedChurnMrrToday, expectedChurnMrrProposed, movedAccounts, movedMrr, tiers, moves, byIndustry, bySizeBand,
                    churned, today, proposed);
        }
    }

    /**
     * One group's money: accounts and MRR in it, and MRR at risk (sum of probability x MRR), today and with the proposal
     * (for a tier: the accounts the proposal puts in it).
     */
    public record MoneyRow(String group, long accountsToday, double mrrToday, double mrrAtRiskToday, long accountsProposed,
                           double mrrProposed, double mrrAtRiskProposed) {
    }

    /** Accounts that move from one tier to another with the proposal, and their MRR. */
    public record TierMove(String from, String to, long accounts, double mrr) {
    }

    /**
     * The snapshots the run learned from and was judged on.
     *
     * @param trainFrom          first training as-of date
     * @param trainTo            last training as-of date (its label window ends on or before holdoutFrom)
     * @param holdoutFrom        first holdout as-of date
     * @param holdoutTo          last holdout as-of date (its label window ends on or before the run date)
     * @param horizonDays        label: churned within (T, T + horizonDays]
     * @param trainingRows       account snapshots used to fit
     * @param trainingAccounts   distinct accounts among them
     * @param trainingChurnEvents distinct churn events labelled in training (the n of the shrinkage)
     * @param holdoutRows        account snapshots in the holdout
     * @param holdoutAccounts    distinct accounts in the holdout
     * @param holdoutChurnEvents distinct churn events labelled in the holdout
     * @param excludedInvoluntary snapshots left out because their only churn was involuntary (0 when involuntary counts)
     * @param excludedNoData     snapshots left out because no metric had data
     */
    public record DataWindow(LocalDate trainFrom, LocalDate trainTo, LocalDate holdoutFrom, LocalDate holdoutTo,
                             int horizonDays, boolean involuntaryCounted,
                             long trainingRows, long trainingAccounts, long trainingChurnEvents,
                             long holdoutRows, long holdoutAccounts, long holdoutChurnEvents,
                             long excludedInvoluntary, long excludedNoData) {
    }

    /**
     * How the fit was made.
     *
     * @param regParam        L2 regularisation chosen by cross-validation
     * @param folds           cross-validation folds (split by account)
     * @param cv              mean held-out log loss per candidate regParam
     * @param replicates      bootstrap replicates (accounts resampled with Poisson(1) weights)
     * @param intervalLevel   e.g. 0.90
     * @param shrinkageK      k of proposed = n/(n+k) fitted + k/(n+k) prior
     * @param dataShare       n/(n+k), the share of the proposal that comes from the data
     * @param minChurnEvents  guardrail: below this many training churn events nothing is proposed
     * @param maxWeightChange guardrail: a weight moving more than this many points needs explicit approval
     */
    public record Fit(double regParam, int folds, List<CvPoint> cv, int replicates, double intervalLevel,
                      double shrinkageK, double dataShare, long minChurnEvents, double maxWeightChange) {
    }

    public record CvPoint(double regParam, double logLoss) {
    }

    /**
     * One metric's weight, in points of 100.
     *
     * @param prior        the expert prior from conf
     * @param current      the weights scoring uses today
     * @param fitted       what the data alone says (null when nothing is proposed)
     * @param fittedLow    lower end of the bootstrap interval of fitted
     * @param proposed     n/(n+k) fitted + k/(n+k) prior
     * @param change       proposed - current
     * @param needsApproval |change| above the guardrail
     * @param flags        e.g. {@code no_weight_from_data}, {@code interval_includes_zero}, {@code contradicts_expected_direction}
     * @param fromData     the part of proposed that comes from the data: n/(n+k) fitted
     * @param fromPrior    the part shrinkage keeps from the prior: k/(n+k) prior (a floor, not evidence)
     * @param evidence     what the data says about the metric (null when nothing is proposed)
     */
    public record WeightRow(String dimension, String metric, double prior, double current,
                            Double fitted, Double fittedLow, Double fittedHigh,
                            Double proposed, Double proposedLow, Double proposedHigh,
                            Double change, boolean needsApproval, List<String> flags,
                            Double fromData, Double fromPrior, Evidence evidence) {
        public WeightRow(String dimension, String metric, double prior, double current, Double fitted, Double fittedLow,
                         Double fittedHigh, Double proposed, Double proposedLow, Double proposedHigh, Double change,
                         boolean needsApproval, List<String> flags) {
            this(dimension, metric, prior, current, fitted, fittedLow, fittedHigh, proposed, proposedLow, proposedHigh, change,
                    needsApproval, flags, null, null, null);
        }
    }

    /**
     * What the data says about one metric, from the unconstrained, unpenalised fit and its bootstrap
     * (docs/calibration.md, "Evidence and intervals").
     *
     * @param coefficient     log odds of churn per point of the component score (a working metric: below 0)
     * @param coefficientLow  its interval at the report's level
     * @param coefficientHigh its interval's upper end
     * @param oddsChangePer10 change in churn odds for 10 more points (-0.23: 23% lower)
     * @param oddsChangeLow   the same at the coefficient interval's ends
     * @param oddsChangeHigh  the same at the upper end
     * @param strength        strong (holds allowing for luck across all metrics), some, none, contradicts (wrong direction beyond chance)
     * @param words           the finding in plain words
     */
    public record Evidence(double coefficient, double coefficientLow, double coefficientHigh, double oddsChangePer10,
                           double oddsChangeLow, double oddsChangeHigh, String strength, String words) {
    }

    public record DimensionRow(String dimension, double prior, double current, Double fitted, Double proposed, Double change) {
    }

    /**
     * One set of weights judged on the holdout.
     *
     * @param label            {@code current} or {@code proposed}
     * @param weightsVersion   the version judged
     * @param rocAuc           ROC AUC of (100 - score) as a churn predictor
     * @param prAuc            area under the precision-recall curve, same predictor
     * @param churnRate        churn rate of the holdout (the PR AUC of a useless score)
     * @param brier            mean squared error of the predicted churn probability
     * @param scoreIntercept   predicted probability = 1/(1+exp(-(scoreIntercept + scoreSlope x score))), fitted on training
     * @param meanScoreChurned mean score of the snapshots that churned
     * @param meanScoreStayed  mean score of the snapshots that stayed
     * @param captureLowest10  share of churn events among the lowest-scored 10% of accounts (per as-of date)
     * @param tiers            churn per health tier
     * @param calibration      deciles of predicted probability vs observed churn
     * @param roc              ROC curve points, from (0,0) to (1,1)
     */
    public record Evaluation(String label, String weightsVersion, double rocAuc, double prAuc, double churnRate,
                             double brier, double scoreIntercept, double scoreSlope,
                             double meanScoreChurned, double meanScoreStayed, double captureLowest10,
                             List<TierRow> tiers, List<CurvePoint> calibration, List<RocPoint> roc, Double calibrationSlope) {
        public Evaluation(String label, String weightsVersion, double rocAuc, double prAuc, double churnRate, double brier,
                          double scoreIntercept, double scoreSlope, double meanScoreChurned, double meanScoreStayed,
                          double captureLowest10, List<TierRow> tiers, List<CurvePoint> calibration, List<RocPoint> roc) {
            this(label, weightsVersion, rocAuc, prAuc, churnRate, brier, scoreIntercept, scoreSlope, meanScoreChurned, meanScoreStayed,
                    captureLowest10, tiers, calibration, roc, null);
        }
    }

    /** Churn of one tier: rate = churned / accounts, [low, high] its Wilson 95% interval. */
    public record TierRow(String tier, long accounts, long churned, double churnRate, double low, double high) {
    }

    /** One decile of predicted probability: its mean prediction and the observed churn rate. */
    public record CurvePoint(int decile, long rows, double meanPredicted, double observedRate) {
    }

    public record RocPoint(double falsePositiveRate, double truePositiveRate) {
    }

    /**
     * A segment's own fit against the global weights, both judged on the segment's holdout.
     *
     * @param grouping      {@code industry} or {@code size_band}
     * @param fitsBadly     own-fit AUC exceeds the global proposal's by more than the conf threshold
     * @param ownDimensions the segment's own fitted weights per dimension (points)
     * @param ownWeights    the segment's own fitted weights per metric (points), in model order: what
     *                      {@code approve --segment} approves; empty when not known
     * @param scoreIntercept the score-to-probability map of the segment's own version (logit intercept), fitted on the
     *                      segment's training rows scored with its own weights; null when none could be fitted (no
     *                      churners or no stayers among them, or no convergence), and then the version's rows get no
     *                      churn probability
     * @param scoreSlope    that map's logit change per score point; null with the intercept
     */
    public record SegmentFit(String grouping, String segment, long trainingEvents, long holdoutRows, long holdoutEvents,
                             double globalAuc, double ownAuc, boolean fitsBadly, List<DimensionRow> ownDimensions,
                             java.util.Map<String, Double> ownWeights, Double scoreIntercept, Double scoreSlope) {
        public SegmentFit(String grouping, String segment, long trainingEvents, long holdoutRows, long holdoutEvents,
                          double globalAuc, double ownAuc, boolean fitsBadly, List<DimensionRow> ownDimensions,
                          java.util.Map<String, Double> ownWeights) {
            this(grouping, segment, trainingEvents, holdoutRows, holdoutEvents, globalAuc, ownAuc, fitsBadly, ownDimensions,
                    ownWeights, null, null);
        }

        public SegmentFit(String grouping, String segment, long trainingEvents, long holdoutRows, long holdoutEvents,
                          double globalAuc, double ownAuc, boolean fitsBadly, List<DimensionRow> ownDimensions) {
            this(grouping, segment, trainingEvents, holdoutRows, holdoutEvents, globalAuc, ownAuc, fitsBadly, ownDimensions,
                    java.util.Map.of());
        }
    }

    /** segment_tier_summary of the run date: accounts and MRR of a segment in a tier ({@code all}: every tier). */
    public record SegmentCell(String segment, String tier, long accounts, double mrr, double mrrShare) {
    }

    /** A success_profile value: its shares among retained-healthy and churned accounts, the lift, the retention rate (Wilson 95%). */
    public record ProfileCell(String characteristic, String value, double shareRetainedHealthy, double shareChurned, double lift,
                              double retentionRate, double retentionLow, double retentionHigh) {
    }

    /** The same report with what the cohorts and insights jobs found. */
    public CalibrationReport withContext(List<CohortCell> cohorts, List<SegmentCell> segments, List<ProfileCell> profile, String line,
                                         List<DriftCell> drift) {
        return new CalibrationReport(runId, runDate, modelPreset, status, statusReason, currentVersion, proposedVersion, data, fit,
                weights, dimensions, current, proposed, this.segments, cohorts, segments, profile, line, caveats, approveCommand, money,
                drift);
    }

    /**
     * A score_drift row of the run date: a measure's PSI against a reference (30d, 90d or training), its flag and the
     * share of accounts missing it on the run date.
     */
    public record DriftCell(String measure, String reference, LocalDate referenceDate, Double psi, String flag,
                            Double currentMissingShare, Double referenceMissingShare) {
    }

    /** The same report whose approve command reads {@code command} (the launcher and conf around it); none without a proposal. */
    public CalibrationReport withApproveCommand(java.util.function.UnaryOperator<String> command) {
        return approveCommand == null ? this : new CalibrationReport(runId, runDate, modelPreset, status, statusReason, currentVersion,
                proposedVersion, data, fit, weights, dimensions, current, proposed, segments, cohortChurn, customerSegments,
                successProfile, successLine, caveats, command.apply(approveCommand), money, drift);
    }

    /** cohort_churn's industry x size band cells of its latest month (Wilson 95% interval). */
    public record CohortCell(String industry, String sizeBand, long customersStart, long churned, double churnRate,
                             double low, double high, boolean smallCohort) {
    }
}
