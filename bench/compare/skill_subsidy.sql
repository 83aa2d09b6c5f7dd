-- 技能提升补贴 (content/packs/skill_subsidy.yaml), written by hand for the parameters in
-- force on the run date: the certificates subsidised (with the amount by level) and the
-- 技师/高级技师 certificates sent to manual review. Named parameters: $as_of, $min_months,
-- $apply_within_months, $yearly_limit, $shortage_extra, $amount_junior,
-- $amount_intermediate, $amount_senior.
WITH cert AS (
    SELECT
        *,
        CASE level WHEN '初级' THEN 1 WHEN '中级' THEN 2 WHEN '高级' THEN 3
                   WHEN '技师' THEN 4 WHEN '高级技师' THEN 5 END AS rank
    FROM skill_certificates
),
candidate AS (
    -- within the claim period: the other conditions only for these
    SELECT *
    FROM cert
    WHERE issued_on <= $as_of AND $as_of <= issued_on + to_months($apply_within_months)
),
insured AS (
    -- months of unemployment contributions up to the issue month, any employer
    SELECT c.certificate_id, count(DISTINCT u.period) AS months
    FROM candidate c JOIN contributions u ON u.person_id = c.person_id
    WHERE u.scheme = 'unemployment' AND u.period <= c.issued_on
    GROUP BY c.certificate_id
),
covered AS (
    -- enrolled as an employee, or drawing unemployment benefit, on the issue date
    SELECT c.certificate_id
    FROM candidate c JOIN insurance_enrolments e ON e.person_id = c.person_id
    WHERE e.scheme = 'unemployment' AND e.kind = 'employee'
      AND e.start_date <= c.issued_on AND (e.end_date IS NULL OR e.end_date >= c.issued_on)
    UNION
    SELECT c.certificate_id
    FROM candidate c JOIN benefit_awards a ON a.person_id = c.person_id
    WHERE a.benefit = 'unemployment'
      AND a.start_date <= c.issued_on AND (a.end_date IS NULL OR a.end_date >= c.issued_on)
),
earlier AS (
    -- the holder's certificates issued before this one (same day: lower certificate id)
    SELECT
        c.certificate_id,
        count(*) FILTER (WHERE o.occupation = c.occupation AND o.rank >= c.rank) AS same_or_higher,
        count(*) FILTER (WHERE o.rank <= 3 AND year(o.issued_on) = year(c.issued_on)) AS this_year,
        count(*) FILTER (WHERE o.rank <= 3 AND NOT o.shortage
                         AND year(o.issued_on) = year(c.issued_on)) AS general_this_year
    FROM candidate c JOIN cert o ON o.person_id = c.person_id
        AND (o.issued_on < c.issued_on
             OR (o.issued_on = c.issued_on AND o.certificate_id < c.certificate_id))
    GROUP BY c.certificate_id
)
SELECT
    c.certificate_id,
    CASE WHEN c.rank <= 3 THEN 'skill_subsidy_eligible' ELSE 'senior_level_review' END AS rule,
    CASE c.rank WHEN 1 THEN $amount_junior WHEN 2 THEN $amount_intermediate
                WHEN 3 THEN $amount_senior END AS amount
FROM candidate c
JOIN covered USING (certificate_id)
LEFT JOIN insured i USING (certificate_id)
LEFT JOIN earlier e USING (certificate_id)
WHERE coalesce(i.months, 0) >= $min_months
  AND (c.rank > 3
       OR (coalesce(e.same_or_higher, 0) = 0
           AND coalesce(e.this_year, 0) < $yearly_limit + $shortage_extra
           AND (c.shortage OR coalesce(e.general_this_year, 0) < $yearly_limit)))
