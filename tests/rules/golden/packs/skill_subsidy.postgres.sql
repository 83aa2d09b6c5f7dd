WITH "_params" AS (
  SELECT
    'base' AS "scenario",
    CAST(12 AS BIGINT) AS "min_insured_months",
    CAST(12 AS BIGINT) AS "apply_within_months",
    CAST('1000.00' AS DECIMAL(38, 2)) AS "amount_junior",
    CAST('1500.00' AS DECIMAL(38, 2)) AS "amount_intermediate",
    CAST('2000.00' AS DECIMAL(38, 2)) AS "amount_senior",
    CAST(1 AS BIGINT) AS "yearly_limit",
    CAST(2 AS BIGINT) AS "shortage_extra"
), "_l0" AS (
  SELECT
    "_p"."scenario",
    "_e"."certificate_id" AS "entity_id",
    CAST(NULL AS TEXT) AS "region",
    "_p"."min_insured_months" AS "min_insured_months",
    "_p"."apply_within_months" AS "apply_within_months",
    "_p"."amount_junior" AS "amount_junior",
    "_p"."amount_intermediate" AS "amount_intermediate",
    "_p"."amount_senior" AS "amount_senior",
    "_p"."yearly_limit" AS "yearly_limit",
    "_p"."shortage_extra" AS "shortage_extra",
    "_e"."person_id" AS "holder",
    "_e"."certificate_id" AS "cert_id",
    "_e"."occupation" AS "cert_occupation",
    "_e"."level" AS "cert_level",
    "_e"."shortage" AS "cert_shortage",
    "_e"."issued_on" AS "cert_issued_on"
  FROM "skill_certificates" AS "_e"
  CROSS JOIN "_params" AS "_p"
), "_a_insured_months" AS (
  SELECT
    "_v"."scenario",
    "_v"."holder" AS "_g1",
    "_v"."cert_issued_on" AS "_g2",
    COUNT(DISTINCT "_t"."period") AS "value"
  FROM (
    SELECT DISTINCT
      "_v"."scenario",
      "_v"."holder",
      "_v"."cert_issued_on"
    FROM "_l0" AS "_v"
  ) AS "_v"
  JOIN "contributions" AS "_t"
    ON "_t"."person_id" = "_v"."holder"
  WHERE
    "_t"."scheme" = 'unemployment' AND "_t"."period" <= "_v"."cert_issued_on"
  GROUP BY
    "_v"."scenario",
    "_v"."holder",
    "_v"."cert_issued_on"
), "_a_insured_at_issue" AS (
  SELECT
    "_v"."scenario",
    "_v"."holder" AS "_g1",
    "_v"."cert_issued_on" AS "_g2",
    COUNT(*) > 0 AS "value"
  FROM (
    SELECT DISTINCT
      "_v"."scenario",
      "_v"."holder",
      "_v"."cert_issued_on"
    FROM "_l0" AS "_v"
  ) AS "_v"
  JOIN "insurance_enrolments" AS "_t"
    ON "_t"."person_id" = "_v"."holder"
  WHERE
    "_t"."scheme" = 'unemployment'
    AND "_t"."kind" = 'employee'
    AND "_t"."start_date" <= "_v"."cert_issued_on"
    AND (
      "_t"."end_date" IS NULL OR "_t"."end_date" >= "_v"."cert_issued_on"
    )
  GROUP BY
    "_v"."scenario",
    "_v"."holder",
    "_v"."cert_issued_on"
), "_a_claiming_at_issue" AS (
  SELECT
    "_v"."scenario",
    "_v"."holder" AS "_g1",
    "_v"."cert_issued_on" AS "_g2",
    COUNT(*) > 0 AS "value"
  FROM (
    SELECT DISTINCT
      "_v"."scenario",
      "_v"."holder",
      "_v"."cert_issued_on"
    FROM "_l0" AS "_v"
  ) AS "_v"
  JOIN "benefit_awards" AS "_t"
    ON "_t"."person_id" = "_v"."holder"
  WHERE
    "_t"."benefit" = 'unemployment'
    AND "_t"."start_date" <= "_v"."cert_issued_on"
    AND (
      "_t"."end_date" IS NULL OR "_t"."end_date" >= "_v"."cert_issued_on"
    )
  GROUP BY
    "_v"."scenario",
    "_v"."holder",
    "_v"."cert_issued_on"
), "_a_earlier_this_year_etc" AS (
  SELECT
    "_v"."scenario",
    "_v"."holder" AS "_g1",
    "_v"."cert_issued_on" AS "_g2",
    "_v"."cert_id" AS "_g3",
    COUNT(*) AS "value_earlier_this_year",
    (
      COUNT(*) FILTER(WHERE
        NOT "_t"."shortage")
    ) AS "value_earlier_general_this_year"
  FROM (
    SELECT DISTINCT
      "_v"."scenario",
      "_v"."holder",
      "_v"."cert_issued_on",
      "_v"."cert_id"
    FROM "_l0" AS "_v"
  ) AS "_v"
  JOIN "skill_certificates" AS "_t"
    ON "_t"."person_id" = "_v"."holder"
  WHERE
    "_t"."level" IN ('初级', '中级', '高级')
    AND CAST(EXTRACT(YEAR FROM "_t"."issued_on") AS BIGINT) = CAST(EXTRACT(YEAR FROM "_v"."cert_issued_on") AS BIGINT)
    AND (
      "_t"."issued_on" < "_v"."cert_issued_on"
      OR (
        "_t"."issued_on" = "_v"."cert_issued_on"
        AND "_t"."certificate_id" < "_v"."cert_id"
      )
    )
  GROUP BY
    "_v"."scenario",
    "_v"."holder",
    "_v"."cert_issued_on",
    "_v"."cert_id"
), "_l1" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."min_insured_months",
    "_v"."apply_within_months",
    "_v"."amount_junior",
    "_v"."amount_intermediate",
    "_v"."amount_senior",
    "_v"."yearly_limit",
    "_v"."shortage_extra",
    "_v"."holder",
    "_v"."cert_id",
    "_v"."cert_occupation",
    "_v"."cert_level",
    "_v"."cert_shortage",
    "_v"."cert_issued_on",
    CAST(CASE "_v"."cert_level"
      WHEN '初级'
      THEN 1
      WHEN '中级'
      THEN 2
      WHEN '高级'
      THEN 3
      WHEN '技师'
      THEN 4
      WHEN '高级技师'
      THEN 5
    END AS BIGINT) AS "cert_rank",
    CAST("_v"."cert_issued_on" + (
      "_v"."apply_within_months" * INTERVAL '1 MONTH'
    ) AS DATE) AS "apply_deadline",
    COALESCE(CAST("_a_insured_months"."value" AS BIGINT), CAST(0 AS BIGINT)) AS "insured_months",
    COALESCE(CAST("_a_insured_at_issue"."value" AS BOOLEAN), FALSE) AS "insured_at_issue",
    COALESCE(CAST("_a_claiming_at_issue"."value" AS BOOLEAN), FALSE) AS "claiming_at_issue",
    COALESCE(
      CAST("_a_earlier_this_year_etc"."value_earlier_this_year" AS BIGINT),
      CAST(0 AS BIGINT)
    ) AS "earlier_this_year",
    COALESCE(
      CAST("_a_earlier_this_year_etc"."value_earlier_general_this_year" AS BIGINT),
      CAST(0 AS BIGINT)
    ) AS "earlier_general_this_year",
    CAST(CASE
      WHEN "_v"."cert_level" = '初级'
      THEN "_v"."amount_junior"
      WHEN "_v"."cert_level" = '中级'
      THEN "_v"."amount_intermediate"
      WHEN "_v"."cert_level" = '高级'
      THEN "_v"."amount_senior"
    END AS DECIMAL(38, 2)) AS "subsidy_amount"
  FROM "_l0" AS "_v"
  LEFT JOIN "_a_insured_months"
    ON "_a_insured_months"."scenario" = "_v"."scenario"
    AND "_a_insured_months"."_g1" IS NOT DISTINCT FROM "_v"."holder"
    AND "_a_insured_months"."_g2" IS NOT DISTINCT FROM "_v"."cert_issued_on"
  LEFT JOIN "_a_insured_at_issue"
    ON "_a_insured_at_issue"."scenario" = "_v"."scenario"
    AND "_a_insured_at_issue"."_g1" IS NOT DISTINCT FROM "_v"."holder"
    AND "_a_insured_at_issue"."_g2" IS NOT DISTINCT FROM "_v"."cert_issued_on"
  LEFT JOIN "_a_claiming_at_issue"
    ON "_a_claiming_at_issue"."scenario" = "_v"."scenario"
    AND "_a_claiming_at_issue"."_g1" IS NOT DISTINCT FROM "_v"."holder"
    AND "_a_claiming_at_issue"."_g2" IS NOT DISTINCT FROM "_v"."cert_issued_on"
  LEFT JOIN "_a_earlier_this_year_etc"
    ON "_a_earlier_this_year_etc"."scenario" = "_v"."scenario"
    AND "_a_earlier_this_year_etc"."_g1" IS NOT DISTINCT FROM "_v"."holder"
    AND "_a_earlier_this_year_etc"."_g2" IS NOT DISTINCT FROM "_v"."cert_issued_on"
    AND "_a_earlier_this_year_etc"."_g3" IS NOT DISTINCT FROM "_v"."cert_id"
), "_a_same_or_higher_before" AS (
  SELECT
    "_v"."scenario",
    "_v"."holder" AS "_g1",
    "_v"."cert_occupation" AS "_g2",
    "_v"."cert_rank" AS "_g3",
    "_v"."cert_issued_on" AS "_g4",
    "_v"."cert_id" AS "_g5",
    COUNT(*) AS "value"
  FROM (
    SELECT DISTINCT
      "_v"."scenario",
      "_v"."holder",
      "_v"."cert_occupation",
      "_v"."cert_rank",
      "_v"."cert_issued_on",
      "_v"."cert_id"
    FROM "_l1" AS "_v"
  ) AS "_v"
  JOIN "skill_certificates" AS "_t"
    ON "_t"."person_id" = "_v"."holder"
  WHERE
    "_t"."occupation" = "_v"."cert_occupation"
    AND CASE "_t"."level"
      WHEN '初级'
      THEN 1
      WHEN '中级'
      THEN 2
      WHEN '高级'
      THEN 3
      WHEN '技师'
      THEN 4
      WHEN '高级技师'
      THEN 5
    END >= "_v"."cert_rank"
    AND (
      "_t"."issued_on" < "_v"."cert_issued_on"
      OR (
        "_t"."issued_on" = "_v"."cert_issued_on"
        AND "_t"."certificate_id" < "_v"."cert_id"
      )
    )
  GROUP BY
    "_v"."scenario",
    "_v"."holder",
    "_v"."cert_occupation",
    "_v"."cert_rank",
    "_v"."cert_issued_on",
    "_v"."cert_id"
), "_l2" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."min_insured_months",
    "_v"."apply_within_months",
    "_v"."amount_junior",
    "_v"."amount_intermediate",
    "_v"."amount_senior",
    "_v"."yearly_limit",
    "_v"."shortage_extra",
    "_v"."holder",
    "_v"."cert_id",
    "_v"."cert_occupation",
    "_v"."cert_level",
    "_v"."cert_shortage",
    "_v"."cert_issued_on",
    "_v"."cert_rank",
    "_v"."apply_deadline",
    "_v"."insured_months",
    "_v"."insured_at_issue",
    "_v"."claiming_at_issue",
    "_v"."earlier_this_year",
    "_v"."earlier_general_this_year",
    "_v"."subsidy_amount",
    CAST("_v"."cert_rank" <= 3 AS BOOLEAN) AS "covered_level",
    CAST("_v"."cert_issued_on" <= CAST('2025-06-30' AS DATE)
    AND CAST('2025-06-30' AS DATE) <= "_v"."apply_deadline" AS BOOLEAN) AS "within_deadline",
    COALESCE(CAST("_a_same_or_higher_before"."value" AS BIGINT), CAST(0 AS BIGINT)) AS "same_or_higher_before",
    CAST("_v"."earlier_this_year" < "_v"."yearly_limit" + "_v"."shortage_extra"
    AND (
      "_v"."cert_shortage" OR "_v"."earlier_general_this_year" < "_v"."yearly_limit"
    ) AS BOOLEAN) AS "within_yearly_limit"
  FROM "_l1" AS "_v"
  LEFT JOIN "_a_same_or_higher_before"
    ON "_a_same_or_higher_before"."scenario" = "_v"."scenario"
    AND "_a_same_or_higher_before"."_g1" IS NOT DISTINCT FROM "_v"."holder"
    AND "_a_same_or_higher_before"."_g2" IS NOT DISTINCT FROM "_v"."cert_occupation"
    AND "_a_same_or_higher_before"."_g3" IS NOT DISTINCT FROM "_v"."cert_rank"
    AND "_a_same_or_higher_before"."_g4" IS NOT DISTINCT FROM "_v"."cert_issued_on"
    AND "_a_same_or_higher_before"."_g5" IS NOT DISTINCT FROM "_v"."cert_id"
), "_r" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."min_insured_months",
    "_v"."apply_within_months",
    "_v"."amount_junior",
    "_v"."amount_intermediate",
    "_v"."amount_senior",
    "_v"."yearly_limit",
    "_v"."shortage_extra",
    "_v"."holder",
    "_v"."cert_id",
    "_v"."cert_occupation",
    "_v"."cert_level",
    "_v"."cert_shortage",
    "_v"."cert_issued_on",
    "_v"."cert_rank",
    "_v"."apply_deadline",
    "_v"."insured_months",
    "_v"."insured_at_issue",
    "_v"."claiming_at_issue",
    "_v"."earlier_this_year",
    "_v"."earlier_general_this_year",
    "_v"."subsidy_amount",
    "_v"."covered_level",
    "_v"."within_deadline",
    "_v"."same_or_higher_before",
    "_v"."within_yearly_limit",
    "_v"."covered_level" AS "skill_subsidy_eligible__c1",
    "_v"."insured_months" >= "_v"."min_insured_months" AS "skill_subsidy_eligible__c2",
    "_v"."insured_at_issue" OR "_v"."claiming_at_issue" AS "skill_subsidy_eligible__c3",
    "_v"."within_deadline" AS "skill_subsidy_eligible__c4",
    "_v"."same_or_higher_before" = 0 AS "skill_subsidy_eligible__c5",
    "_v"."within_yearly_limit" AS "skill_subsidy_eligible__c6",
    NOT "_v"."covered_level" AS "senior_level_review__c1",
    "_v"."insured_months" >= "_v"."min_insured_months" AS "senior_level_review__c2",
    "_v"."insured_at_issue" OR "_v"."claiming_at_issue" AS "senior_level_review__c3",
    "_v"."within_deadline" AS "senior_level_review__c4"
  FROM "_l2" AS "_v"
)
SELECT
  "_v"."scenario",
  "_v"."entity_id",
  "_v"."region",
  "_v"."holder",
  "_v"."cert_id",
  "_v"."cert_occupation",
  "_v"."cert_level",
  "_v"."cert_shortage",
  "_v"."cert_issued_on",
  "_v"."cert_rank",
  "_v"."covered_level",
  "_v"."apply_deadline",
  "_v"."within_deadline",
  "_v"."insured_months",
  "_v"."insured_at_issue",
  "_v"."claiming_at_issue",
  "_v"."same_or_higher_before",
  "_v"."earlier_this_year",
  "_v"."earlier_general_this_year",
  "_v"."within_yearly_limit",
  "_v"."subsidy_amount",
  COALESCE(
    "_v"."skill_subsidy_eligible__c1"
    AND "_v"."skill_subsidy_eligible__c2"
    AND "_v"."skill_subsidy_eligible__c3"
    AND "_v"."skill_subsidy_eligible__c4"
    AND "_v"."skill_subsidy_eligible__c5"
    AND "_v"."skill_subsidy_eligible__c6",
    FALSE
  ) AS "skill_subsidy_eligible__hit",
  CASE
    WHEN COALESCE(
      "_v"."skill_subsidy_eligible__c1"
      AND "_v"."skill_subsidy_eligible__c2"
      AND "_v"."skill_subsidy_eligible__c3"
      AND "_v"."skill_subsidy_eligible__c4"
      AND "_v"."skill_subsidy_eligible__c5"
      AND "_v"."skill_subsidy_eligible__c6",
      FALSE
    )
    THEN CAST("_v"."subsidy_amount" AS DECIMAL(38, 2))
  END AS "skill_subsidy_eligible__amount",
  "_v"."skill_subsidy_eligible__c1",
  "_v"."skill_subsidy_eligible__c2",
  "_v"."skill_subsidy_eligible__c3",
  "_v"."skill_subsidy_eligible__c4",
  "_v"."skill_subsidy_eligible__c5",
  "_v"."skill_subsidy_eligible__c6",
  COALESCE(
    "_v"."senior_level_review__c1"
    AND "_v"."senior_level_review__c2"
    AND "_v"."senior_level_review__c3"
    AND "_v"."senior_level_review__c4",
    FALSE
  ) AS "senior_level_review__hit",
  CASE
    WHEN COALESCE(
      "_v"."senior_level_review__c1"
      AND "_v"."senior_level_review__c2"
      AND "_v"."senior_level_review__c3"
      AND "_v"."senior_level_review__c4",
      FALSE
    )
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "senior_level_review__amount",
  "_v"."senior_level_review__c1",
  "_v"."senior_level_review__c2",
  "_v"."senior_level_review__c3",
  "_v"."senior_level_review__c4"
FROM "_r" AS "_v"
