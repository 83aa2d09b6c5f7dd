WITH "_params" AS (
  SELECT
    'base' AS "scenario",
    CAST(12 AS BIGINT) AS "min_months",
    CAST('0.055' AS DECIMAL(38, 3)) AS "max_layoff_rate",
    CAST('0.20' AS DECIMAL(38, 2)) AS "max_layoff_rate_small",
    CAST(30 AS BIGINT) AS "small_headcount",
    CAST('0.30' AS DECIMAL(38, 2)) AS "refund_ratio_large",
    CAST('0.60' AS DECIMAL(38, 2)) AS "refund_ratio_sme"
), "_a1_contributions" AS (
  SELECT
    "_t"."enterprise_id" AS "entity_id",
    COUNT(DISTINCT "_t"."period") AS "value_contributed_months",
    CAST(CAST(CASE
      WHEN COUNT(*) < 0
      THEN -(
        (
          (
            CAST(ABS(COUNT(*)) AS INT128) * 20000000000
          ) + 12
        ) // 24
      )
      ELSE (
        (
          CAST(ABS(COUNT(*)) AS INT128) * 20000000000
        ) + 12
      ) // 24
    END AS DECIMAL(38, 0)) * 0.0000000001 AS DECIMAL(38, 10)) AS "value_insured_headcount",
    (
      SUM("_t"."employer_amount" + "_t"."employee_amount") FILTER(WHERE
        NOT "_t"."back_payment")
    ) AS "value_paid_last_year"
  FROM "contributions" AS "_t"
  WHERE
    "_t"."scheme" = 'unemployment'
    AND "_t"."period" >= CAST(CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + TO_MONTHS(-12) AS DATE)
    AND "_t"."period" < CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE)
    AND "_t"."enterprise_id" IN ('91370102MA3C00011X')
  GROUP BY
    "_t"."enterprise_id"
), "_a_laid_off" AS (
  SELECT
    "_t"."enterprise_id" AS "entity_id",
    COUNT(*) AS "value"
  FROM "employment_spells" AS "_t"
  WHERE
    (
      "_t"."end_reason" IN ('dismissed', 'contract_end')
      AND "_t"."end_date" >= CAST(CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + TO_MONTHS(-12) AS DATE)
      AND "_t"."end_date" < CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE)
    )
    AND "_t"."enterprise_id" IN ('91370102MA3C00011X')
  GROUP BY
    "_t"."enterprise_id"
), "_l0" AS (
  SELECT
    "_p"."scenario",
    "_e"."enterprise_id" AS "entity_id",
    "_e"."region_code" AS "region",
    "_p"."min_months" AS "min_months",
    "_p"."max_layoff_rate" AS "max_layoff_rate",
    "_p"."max_layoff_rate_small" AS "max_layoff_rate_small",
    "_p"."small_headcount" AS "small_headcount",
    "_p"."refund_ratio_large" AS "refund_ratio_large",
    "_p"."refund_ratio_sme" AS "refund_ratio_sme",
    "_e"."name" AS "name",
    "_e"."size" AS "size",
    "_e"."labour_dispatch" AS "labour_dispatch",
    "_e"."insured_on" AS "insured_on",
    COALESCE(CAST("_a1_contributions"."value_contributed_months" AS BIGINT), CAST(0 AS BIGINT)) AS "contributed_months",
    COALESCE(
      CAST("_a1_contributions"."value_insured_headcount" AS DECIMAL(38, 10)),
      CAST('0' AS DECIMAL(38, 10))
    ) AS "insured_headcount",
    COALESCE(CAST("_a_laid_off"."value" AS BIGINT), CAST(0 AS BIGINT)) AS "laid_off",
    COALESCE(
      CAST("_a1_contributions"."value_paid_last_year" AS DECIMAL(38, 2)),
      CAST('0' AS DECIMAL(38, 2))
    ) AS "paid_last_year"
  FROM "enterprises" AS "_e"
  CROSS JOIN "_params" AS "_p"
  LEFT JOIN "_a1_contributions"
    ON "_a1_contributions"."entity_id" = "_e"."enterprise_id"
  LEFT JOIN "_a_laid_off"
    ON "_a_laid_off"."entity_id" = "_e"."enterprise_id"
  WHERE
    "_e"."enterprise_id" IN ('91370102MA3C00011X')
), "_a_back_paid_since_insured" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    COUNT(*) AS "value"
  FROM "_l0" AS "_v"
  JOIN "contributions" AS "_t"
    ON "_t"."enterprise_id" = "_v"."entity_id"
  WHERE
    (
      "_t"."back_payment" AND "_t"."period" >= "_v"."insured_on"
    )
    AND "_t"."enterprise_id" IN ('91370102MA3C00011X')
  GROUP BY
    "_v"."scenario",
    "_v"."entity_id"
), "_l1" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."min_months",
    "_v"."max_layoff_rate",
    "_v"."max_layoff_rate_small",
    "_v"."small_headcount",
    "_v"."refund_ratio_large",
    "_v"."refund_ratio_sme",
    "_v"."name",
    "_v"."size",
    "_v"."labour_dispatch",
    "_v"."insured_on",
    "_v"."contributed_months",
    "_v"."insured_headcount",
    "_v"."laid_off",
    "_v"."paid_last_year",
    CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) AS "year_start",
    CAST(CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + TO_MONTHS(-12) AS DATE) AS "prev_year_start",
    CAST(CASE
      WHEN "_v"."insured_headcount" = 0
      THEN CAST(0 AS DECIMAL(38, 10))
      ELSE CAST(CAST(CASE
        WHEN (
          "_v"."laid_off" < 0
        ) = (
          "_v"."insured_headcount" < 0
        )
        THEN (
          (
            CAST(ABS("_v"."laid_off") AS INT128) * 200000000000000000000
          ) + CAST(ABS("_v"."insured_headcount") * 10000000000 AS INT128)
        ) // (
          NULLIF(CAST(ABS("_v"."insured_headcount") * 10000000000 AS INT128), 0) * 2
        )
        ELSE -(
          (
            (
              CAST(ABS("_v"."laid_off") AS INT128) * 200000000000000000000
            ) + CAST(ABS("_v"."insured_headcount") * 10000000000 AS INT128)
          ) // (
            NULLIF(CAST(ABS("_v"."insured_headcount") * 10000000000 AS INT128), 0) * 2
          )
        )
      END AS DECIMAL(38, 0)) * 0.0000000001 AS DECIMAL(38, 10))
    END AS DECIMAL(38, 10)) AS "layoff_rate",
    CAST(CASE
      WHEN "_v"."insured_headcount" <= "_v"."small_headcount"
      THEN GREATEST("_v"."max_layoff_rate", CAST("_v"."max_layoff_rate_small" AS DECIMAL(38, 3)))
      ELSE "_v"."max_layoff_rate"
    END AS DECIMAL(38, 3)) AS "layoff_limit",
    COALESCE(CAST("_a_back_paid_since_insured"."value" AS BIGINT), CAST(0 AS BIGINT)) AS "back_paid_since_insured",
    CAST(DATE_SUB('month', "_v"."insured_on", CAST('2025-06-30' AS DATE)) AS BIGINT) AS "months_insured",
    CAST(CASE
      WHEN "_v"."size" IN ('micro', 'small', 'medium')
      THEN "_v"."refund_ratio_sme"
      WHEN "_v"."size" = 'large'
      THEN "_v"."refund_ratio_large"
      ELSE CAST(0 AS DECIMAL(38, 2))
    END AS DECIMAL(38, 2)) AS "refund_ratio"
  FROM "_l0" AS "_v"
  LEFT JOIN "_a_back_paid_since_insured"
    ON "_a_back_paid_since_insured"."scenario" = "_v"."scenario"
    AND "_a_back_paid_since_insured"."entity_id" = "_v"."entity_id"
), "_r" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."min_months",
    "_v"."max_layoff_rate",
    "_v"."max_layoff_rate_small",
    "_v"."small_headcount",
    "_v"."refund_ratio_large",
    "_v"."refund_ratio_sme",
    "_v"."name",
    "_v"."size",
    "_v"."labour_dispatch",
    "_v"."insured_on",
    "_v"."contributed_months",
    "_v"."insured_headcount",
    "_v"."laid_off",
    "_v"."paid_last_year",
    "_v"."year_start",
    "_v"."prev_year_start",
    "_v"."layoff_rate",
    "_v"."layoff_limit",
    "_v"."back_paid_since_insured",
    "_v"."months_insured",
    "_v"."refund_ratio",
    "_v"."contributed_months" >= "_v"."min_months" AS "refund_eligible__c1",
    "_v"."layoff_rate" <= "_v"."layoff_limit" AS "refund_eligible__c2",
    NOT "_v"."labour_dispatch" AS "refund_eligible__c3",
    "_v"."labour_dispatch" AS "dispatch_must_apply__c1",
    "_v"."contributed_months" >= "_v"."min_months" AS "dispatch_must_apply__c2",
    "_v"."back_paid_since_insured" > 0 AS "back_payments_found__c1",
    "_v"."months_insured" < 0 AS "back_payments_found__c2"
  FROM "_l1" AS "_v"
)
SELECT
  "_v"."scenario",
  "_v"."entity_id",
  "_v"."region",
  "_v"."name",
  "_v"."size",
  "_v"."labour_dispatch",
  "_v"."insured_on",
  "_v"."year_start",
  "_v"."prev_year_start",
  "_v"."contributed_months",
  "_v"."insured_headcount",
  "_v"."laid_off",
  "_v"."layoff_rate",
  "_v"."layoff_limit",
  "_v"."paid_last_year",
  "_v"."back_paid_since_insured",
  "_v"."months_insured",
  "_v"."refund_ratio",
  COALESCE(
    "_v"."refund_eligible__c1"
    AND "_v"."refund_eligible__c2"
    AND "_v"."refund_eligible__c3",
    FALSE
  ) AS "refund_eligible__hit",
  CASE
    WHEN COALESCE(
      "_v"."refund_eligible__c1"
      AND "_v"."refund_eligible__c2"
      AND "_v"."refund_eligible__c3",
      FALSE
    )
    THEN CAST(ROUND("_v"."paid_last_year" * "_v"."refund_ratio", 2) AS DECIMAL(38, 2))
  END AS "refund_eligible__amount",
  "_v"."refund_eligible__c1",
  "_v"."refund_eligible__c2",
  "_v"."refund_eligible__c3",
  COALESCE("_v"."dispatch_must_apply__c1" AND "_v"."dispatch_must_apply__c2", FALSE) AS "dispatch_must_apply__hit",
  CASE
    WHEN COALESCE("_v"."dispatch_must_apply__c1" AND "_v"."dispatch_must_apply__c2", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "dispatch_must_apply__amount",
  "_v"."dispatch_must_apply__c1",
  "_v"."dispatch_must_apply__c2",
  COALESCE("_v"."back_payments_found__c1" OR "_v"."back_payments_found__c2", FALSE) AS "back_payments_found__hit",
  CASE
    WHEN COALESCE("_v"."back_payments_found__c1" OR "_v"."back_payments_found__c2", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "back_payments_found__amount",
  "_v"."back_payments_found__c1",
  "_v"."back_payments_found__c2"
FROM "_r" AS "_v"
