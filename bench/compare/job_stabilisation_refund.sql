-- 失业保险稳岗返还 (content/packs/job_stabilisation_refund.yaml), written by hand for the
-- parameters in force on the run date (layoff rate by separations, size as registered):
-- the enterprises refunded and the amount, and the labour-dispatch firms told to apply.
-- One scan per table. Named parameters: $year_start, $prev_year_start, $prev_year_end,
-- $as_of, $min_months, $max_layoff_rate, $max_layoff_rate_small, $small_headcount,
-- $ratio_large, $ratio_sme.
WITH contrib AS (
    SELECT
        enterprise_id,
        count(DISTINCT period) AS months,
        sum(employer_amount + employee_amount)
            FILTER (WHERE NOT back_payment AND period >= $prev_year_start) AS paid_last_year
    FROM contributions
    WHERE scheme = 'unemployment' AND period < $year_start
    GROUP BY enterprise_id
),
enrolled AS (
    -- months of last year each unemployment-insurance enrolment touches
    SELECT
        enterprise_id,
        sum(
            date_diff('month', greatest(start_date, $prev_year_start),
                      least(coalesce(end_date, $prev_year_end), $prev_year_end)) + 1
        ) AS person_months
    FROM insurance_enrolments
    WHERE scheme = 'unemployment' AND kind = 'employee'
      AND start_date <= $prev_year_end AND (end_date IS NULL OR end_date >= $prev_year_start)
    GROUP BY enterprise_id
),
separated AS (
    SELECT enterprise_id, count(*) AS separations
    FROM employment_spells
    WHERE end_reason IN ('dismissed', 'contract_end', 'closed')
      AND end_date BETWEEN $prev_year_start AND $prev_year_end
    GROUP BY enterprise_id
),
firm AS (
    SELECT
        e.enterprise_id,
        e.size,
        e.labour_dispatch,
        coalesce(e.closed_on <= $as_of, false) AS deregistered,
        coalesce(c.months, 0) AS months,
        coalesce(c.paid_last_year, 0) AS paid_last_year,
        coalesce(n.person_months, 0) AS person_months,
        coalesce(s.separations, 0) AS separations
    FROM enterprises e
    LEFT JOIN contrib c USING (enterprise_id)
    LEFT JOIN enrolled n USING (enterprise_id)
    LEFT JOIN separated s USING (enterprise_id)
),
judged AS (
    SELECT
        *,
        months >= $min_months
        -- separations / (person_months / 12) <= limit, without dividing
        AND (person_months = 0 OR separations * 12 <= person_months * CASE
            WHEN person_months <= $small_headcount * 12 THEN $max_layoff_rate_small
            ELSE $max_layoff_rate END)
        AND NOT deregistered AS qualifies
    FROM firm
)
SELECT
    enterprise_id,
    CASE WHEN labour_dispatch THEN 'dispatch_must_apply' ELSE 'refund_eligible' END AS rule,
    CASE WHEN NOT labour_dispatch
        THEN round(paid_last_year * CASE WHEN size = 'large' THEN $ratio_large ELSE $ratio_sme END, 2)
    END AS amount
FROM judged
WHERE qualifies AND (labour_dispatch OR paid_last_year > 0)
