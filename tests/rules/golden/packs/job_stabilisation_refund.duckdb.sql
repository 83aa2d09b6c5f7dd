WITH "_params" AS (
  SELECT
    'base' AS "scenario",
    CAST(12 AS BIGINT) AS "min_contribution_months",
    CAST('0.055' AS DECIMAL(38, 3)) AS "max_layoff_rate",
    CAST('0.20' AS DECIMAL(38, 2)) AS "max_layoff_rate_small",
    CAST(30 AS BIGINT) AS "small_headcount",
    'separations' AS "layoff_rate_method",
    FALSE AS "size_by_headcount",
    CAST(300 AS BIGINT) AS "large_headcount",
    CAST('0.30' AS DECIMAL(38, 2)) AS "refund_ratio_large",
    CAST('0.60' AS DECIMAL(38, 2)) AS "refund_ratio_sme"
), "_a1_contributions" AS (
  SELECT
    "_t"."enterprise_id" AS "entity_id",
    COUNT(DISTINCT "_t"."period") AS "value_contribution_months",
    (
      SUM("_t"."employer_amount" + "_t"."employee_amount") FILTER(WHERE
        NOT "_t"."back_payment"
        AND "_t"."period" >= CAST(CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + TO_MONTHS(-12) AS DATE))
    ) AS "value_paid_last_year",
    (
      SUM("_t"."employer_amount" + "_t"."employee_amount") FILTER(WHERE
        "_t"."back_payment"
        AND "_t"."period" >= CAST(CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + TO_MONTHS(-12) AS DATE))
    ) AS "value_back_paid_last_year"
  FROM "contributions" AS "_t"
  WHERE
    "_t"."scheme" = 'unemployment'
    AND "_t"."period" < CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE)
  GROUP BY
    "_t"."enterprise_id"
), "_a2_insurance_enrolments" AS (
  SELECT
    "_t"."enterprise_id" AS "entity_id",
    (
      SUM(
        DATE_SUB(
          'month',
          MAKE_DATE(
            CAST(YEAR(
              GREATEST(
                "_t"."start_date",
                CAST(CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + TO_MONTHS(-12) AS DATE)
              )
            ) AS INT),
            CAST(MONTH(
              GREATEST(
                "_t"."start_date",
                CAST(CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + TO_MONTHS(-12) AS DATE)
              )
            ) AS INT),
            1
          ),
          MAKE_DATE(
            CAST(YEAR(
              LEAST(
                COALESCE(
                  "_t"."end_date",
                  CAST((
                    CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + -1
                  ) AS DATE)
                ),
                CAST((
                  CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + -1
                ) AS DATE)
              )
            ) AS INT),
            CAST(MONTH(
              LEAST(
                COALESCE(
                  "_t"."end_date",
                  CAST((
                    CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + -1
                  ) AS DATE)
                ),
                CAST((
                  CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + -1
                ) AS DATE)
              )
            ) AS INT),
            1
          )
        ) + 1
      ) FILTER(WHERE
        "_t"."start_date" <= CAST((
          CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + -1
        ) AS DATE)
        AND (
          "_t"."end_date" IS NULL
          OR "_t"."end_date" >= CAST(CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + TO_MONTHS(-12) AS DATE)
        ))
    ) AS "value_insured_person_months",
    (
      COUNT(*) FILTER(WHERE
        "_t"."start_date" <= CAST((
          CAST(CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + TO_MONTHS(-12) AS DATE) + -1
        ) AS DATE)
        AND (
          "_t"."end_date" IS NULL
          OR "_t"."end_date" >= CAST((
            CAST(CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + TO_MONTHS(-12) AS DATE) + -1
          ) AS DATE)
        ))
    ) AS "value_headcount_before_prev_year_end",
    (
      COUNT(*) FILTER(WHERE
        "_t"."start_date" <= CAST((
          CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + -1
        ) AS DATE)
        AND (
          "_t"."end_date" IS NULL
          OR "_t"."end_date" >= CAST((
            CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + -1
          ) AS DATE)
        ))
    ) AS "value_headcount_prev_year_end"
  FROM "insurance_enrolments" AS "_t"
  WHERE
    "_t"."scheme" = 'unemployment'
    AND "_t"."kind" = 'employee'
    AND (
      (
        "_t"."start_date" <= CAST((
          CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + -1
        ) AS DATE)
        AND (
          "_t"."end_date" IS NULL
          OR "_t"."end_date" >= CAST(CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + TO_MONTHS(-12) AS DATE)
        )
      )
      OR (
        "_t"."start_date" <= CAST((
          CAST(CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + TO_MONTHS(-12) AS DATE) + -1
        ) AS DATE)
        AND (
          "_t"."end_date" IS NULL
          OR "_t"."end_date" >= CAST((
            CAST(CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + TO_MONTHS(-12) AS DATE) + -1
          ) AS DATE)
        )
      )
      OR (
        "_t"."start_date" <= CAST((
          CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + -1
        ) AS DATE)
        AND (
          "_t"."end_date" IS NULL
          OR "_t"."end_date" >= CAST((
            CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + -1
          ) AS DATE)
        )
      )
    )
  GROUP BY
    "_t"."enterprise_id"
), "_a_separations" AS (
  SELECT
    "_t"."enterprise_id" AS "entity_id",
    COUNT(*) AS "value"
  FROM "employment_spells" AS "_t"
  WHERE
    "_t"."end_reason" IN ('dismissed', 'contract_end', 'closed')
    AND "_t"."end_date" >= CAST(CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + TO_MONTHS(-12) AS DATE)
    AND "_t"."end_date" <= CAST((
      CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + -1
    ) AS DATE)
  GROUP BY
    "_t"."enterprise_id"
), "_l0" AS (
  SELECT
    "_p"."scenario",
    "_e"."enterprise_id" AS "entity_id",
    "_e"."region_code" AS "region",
    "_p"."min_contribution_months" AS "min_contribution_months",
    "_p"."max_layoff_rate" AS "max_layoff_rate",
    "_p"."max_layoff_rate_small" AS "max_layoff_rate_small",
    "_p"."small_headcount" AS "small_headcount",
    "_p"."layoff_rate_method" AS "layoff_rate_method",
    "_p"."size_by_headcount" AS "size_by_headcount",
    "_p"."large_headcount" AS "large_headcount",
    "_p"."refund_ratio_large" AS "refund_ratio_large",
    "_p"."refund_ratio_sme" AS "refund_ratio_sme",
    "_e"."name" AS "name",
    "_e"."size" AS "size",
    "_e"."labour_dispatch" AS "labour_dispatch",
    "_e"."closed_on" AS "closed_on",
    COALESCE(CAST("_a1_contributions"."value_contribution_months" AS BIGINT), CAST(0 AS BIGINT)) AS "contribution_months",
    COALESCE(
      CAST("_a2_insurance_enrolments"."value_insured_person_months" AS BIGINT),
      CAST(0 AS BIGINT)
    ) AS "insured_person_months",
    COALESCE(
      CAST("_a2_insurance_enrolments"."value_headcount_before_prev_year_end" AS BIGINT),
      CAST(0 AS BIGINT)
    ) AS "headcount_before_prev_year_end",
    COALESCE(
      CAST("_a2_insurance_enrolments"."value_headcount_prev_year_end" AS BIGINT),
      CAST(0 AS BIGINT)
    ) AS "headcount_prev_year_end",
    COALESCE(CAST("_a_separations"."value" AS BIGINT), CAST(0 AS BIGINT)) AS "separations",
    COALESCE(
      CAST("_a1_contributions"."value_paid_last_year" AS DECIMAL(38, 2)),
      CAST('0' AS DECIMAL(38, 2))
    ) AS "paid_last_year",
    COALESCE(
      CAST("_a1_contributions"."value_back_paid_last_year" AS DECIMAL(38, 2)),
      CAST('0' AS DECIMAL(38, 2))
    ) AS "back_paid_last_year"
  FROM "enterprises" AS "_e"
  CROSS JOIN "_params" AS "_p"
  LEFT JOIN "_a1_contributions"
    ON "_a1_contributions"."entity_id" = "_e"."enterprise_id"
  LEFT JOIN "_a2_insurance_enrolments"
    ON "_a2_insurance_enrolments"."entity_id" = "_e"."enterprise_id"
  LEFT JOIN "_a_separations"
    ON "_a_separations"."entity_id" = "_e"."enterprise_id"
), "_l1" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."min_contribution_months",
    "_v"."max_layoff_rate",
    "_v"."max_layoff_rate_small",
    "_v"."small_headcount",
    "_v"."layoff_rate_method",
    "_v"."size_by_headcount",
    "_v"."large_headcount",
    "_v"."refund_ratio_large",
    "_v"."refund_ratio_sme",
    "_v"."name",
    "_v"."size",
    "_v"."labour_dispatch",
    "_v"."closed_on",
    "_v"."contribution_months",
    "_v"."insured_person_months",
    "_v"."headcount_before_prev_year_end",
    "_v"."headcount_prev_year_end",
    "_v"."separations",
    "_v"."paid_last_year",
    "_v"."back_paid_last_year",
    CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) AS "year_start",
    CAST(CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + TO_MONTHS(-12) AS DATE) AS "prev_year_start",
    CAST((
      CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + -1
    ) AS DATE) AS "prev_year_end",
    CAST((
      CAST(CAST(MAKE_DATE(CAST(YEAR(CAST('2025-06-30' AS DATE)) AS INT), 1, 1) AS DATE) + TO_MONTHS(-12) AS DATE) + -1
    ) AS DATE) AS "before_prev_year_end",
    CAST(COALESCE("_v"."closed_on" <= CAST('2025-06-30' AS DATE), FALSE) AS BOOLEAN) AS "deregistered",
    CAST(CAST(CASE
      WHEN "_v"."insured_person_months" < 0
      THEN -(
        (
          (
            CAST(ABS("_v"."insured_person_months") AS INT128) * 20000000000
          ) + 12
        ) // 24
      )
      ELSE (
        (
          CAST(ABS("_v"."insured_person_months") AS INT128) * 20000000000
        ) + 12
      ) // 24
    END AS DECIMAL(38, 0)) * 0.0000000001 AS DECIMAL(38, 10)) AS "insured_headcount",
    CAST(CASE
      WHEN "_v"."insured_person_months" = 0
      THEN CAST(0 AS DECIMAL(38, 10))
      ELSE CAST(CAST(CASE
        WHEN (
          (
            "_v"."separations" * 12
          ) < 0
        ) = (
          "_v"."insured_person_months" < 0
        )
        THEN (
          (
            CAST(ABS("_v"."separations" * 12) AS INT128) * 20000000000
          ) + CAST(ABS("_v"."insured_person_months") AS INT128)
        ) // (
          NULLIF(CAST(ABS("_v"."insured_person_months") AS INT128), 0) * 2
        )
        ELSE -(
          (
            (
              CAST(ABS("_v"."separations" * 12) AS INT128) * 20000000000
            ) + CAST(ABS("_v"."insured_person_months") AS INT128)
          ) // (
            NULLIF(CAST(ABS("_v"."insured_person_months") AS INT128), 0) * 2
          )
        )
      END AS DECIMAL(38, 0)) * 0.0000000001 AS DECIMAL(38, 10))
    END AS DECIMAL(38, 10)) AS "separation_rate",
    CAST(CASE
      WHEN "_v"."headcount_before_prev_year_end" = 0
      THEN CAST(0 AS DECIMAL(38, 10))
      ELSE CAST(CAST(CASE
        WHEN (
          GREATEST("_v"."headcount_before_prev_year_end" - "_v"."headcount_prev_year_end", 0) < 0
        ) = (
          "_v"."headcount_before_prev_year_end" < 0
        )
        THEN (
          (
            CAST(ABS(
              GREATEST("_v"."headcount_before_prev_year_end" - "_v"."headcount_prev_year_end", 0)
            ) AS INT128) * 20000000000
          ) + CAST(ABS("_v"."headcount_before_prev_year_end") AS INT128)
        ) // (
          NULLIF(CAST(ABS("_v"."headcount_before_prev_year_end") AS INT128), 0) * 2
        )
        ELSE -(
          (
            (
              CAST(ABS(
                GREATEST("_v"."headcount_before_prev_year_end" - "_v"."headcount_prev_year_end", 0)
              ) AS INT128) * 20000000000
            ) + CAST(ABS("_v"."headcount_before_prev_year_end") AS INT128)
          ) // (
            NULLIF(CAST(ABS("_v"."headcount_before_prev_year_end") AS INT128), 0) * 2
          )
        )
      END AS DECIMAL(38, 0)) * 0.0000000001 AS DECIMAL(38, 10))
    END AS DECIMAL(38, 10)) AS "net_reduction_rate",
    CAST(CASE
      WHEN "_v"."size_by_headcount"
      THEN CAST(NULL AS BOOLEAN)
      ELSE "_v"."size" = 'large'
    END AS BOOLEAN) AS "large_enterprise"
  FROM "_l0" AS "_v"
), "_l2" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."min_contribution_months",
    "_v"."max_layoff_rate",
    "_v"."max_layoff_rate_small",
    "_v"."small_headcount",
    "_v"."layoff_rate_method",
    "_v"."size_by_headcount",
    "_v"."large_headcount",
    "_v"."refund_ratio_large",
    "_v"."refund_ratio_sme",
    "_v"."name",
    "_v"."size",
    "_v"."labour_dispatch",
    "_v"."closed_on",
    "_v"."contribution_months",
    "_v"."insured_person_months",
    "_v"."headcount_before_prev_year_end",
    "_v"."headcount_prev_year_end",
    "_v"."separations",
    "_v"."paid_last_year",
    "_v"."back_paid_last_year",
    "_v"."year_start",
    "_v"."prev_year_start",
    "_v"."prev_year_end",
    "_v"."before_prev_year_end",
    "_v"."deregistered",
    "_v"."insured_headcount",
    "_v"."separation_rate",
    "_v"."net_reduction_rate",
    "_v"."large_enterprise",
    CAST(CASE
      WHEN "_v"."layoff_rate_method" = 'net_reduction'
      THEN CAST(NULL AS DECIMAL(38, 10))
      ELSE "_v"."separation_rate"
    END AS DECIMAL(38, 10)) AS "layoff_rate",
    CAST("_v"."insured_headcount" <= "_v"."small_headcount" AS BOOLEAN) AS "small_staff",
    CAST(CASE
      WHEN "_v"."large_enterprise"
      THEN "_v"."refund_ratio_large"
      ELSE "_v"."refund_ratio_sme"
    END AS DECIMAL(38, 2)) AS "refund_ratio"
  FROM "_l1" AS "_v"
), "_l3" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."min_contribution_months",
    "_v"."max_layoff_rate",
    "_v"."max_layoff_rate_small",
    "_v"."small_headcount",
    "_v"."layoff_rate_method",
    "_v"."size_by_headcount",
    "_v"."large_headcount",
    "_v"."refund_ratio_large",
    "_v"."refund_ratio_sme",
    "_v"."name",
    "_v"."size",
    "_v"."labour_dispatch",
    "_v"."closed_on",
    "_v"."contribution_months",
    "_v"."insured_person_months",
    "_v"."headcount_before_prev_year_end",
    "_v"."headcount_prev_year_end",
    "_v"."separations",
    "_v"."paid_last_year",
    "_v"."back_paid_last_year",
    "_v"."year_start",
    "_v"."prev_year_start",
    "_v"."prev_year_end",
    "_v"."before_prev_year_end",
    "_v"."deregistered",
    "_v"."insured_headcount",
    "_v"."separation_rate",
    "_v"."net_reduction_rate",
    "_v"."large_enterprise",
    "_v"."layoff_rate",
    "_v"."small_staff",
    "_v"."refund_ratio",
    CAST(CASE
      WHEN "_v"."small_staff"
      THEN CAST("_v"."max_layoff_rate_small" AS DECIMAL(38, 3))
      ELSE "_v"."max_layoff_rate"
    END AS DECIMAL(38, 3)) AS "layoff_limit"
  FROM "_l2" AS "_v"
), "_r" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."min_contribution_months",
    "_v"."max_layoff_rate",
    "_v"."max_layoff_rate_small",
    "_v"."small_headcount",
    "_v"."layoff_rate_method",
    "_v"."size_by_headcount",
    "_v"."large_headcount",
    "_v"."refund_ratio_large",
    "_v"."refund_ratio_sme",
    "_v"."name",
    "_v"."size",
    "_v"."labour_dispatch",
    "_v"."closed_on",
    "_v"."contribution_months",
    "_v"."insured_person_months",
    "_v"."headcount_before_prev_year_end",
    "_v"."headcount_prev_year_end",
    "_v"."separations",
    "_v"."paid_last_year",
    "_v"."back_paid_last_year",
    "_v"."year_start",
    "_v"."prev_year_start",
    "_v"."prev_year_end",
    "_v"."before_prev_year_end",
    "_v"."deregistered",
    "_v"."insured_headcount",
    "_v"."separation_rate",
    "_v"."net_reduction_rate",
    "_v"."large_enterprise",
    "_v"."layoff_rate",
    "_v"."small_staff",
    "_v"."refund_ratio",
    "_v"."layoff_limit",
    "_v"."contribution_months" >= "_v"."min_contribution_months" AS "refund_eligible__c1",
    "_v"."layoff_rate" <= "_v"."layoff_limit" AS "refund_eligible__c2",
    "_v"."paid_last_year" > 0 AS "refund_eligible__c3",
    NOT "_v"."labour_dispatch" AS "refund_eligible__c4",
    NOT "_v"."deregistered" AS "refund_eligible__c5",
    "_v"."labour_dispatch" AS "dispatch_must_apply__c1",
    NOT "_v"."deregistered" AS "dispatch_must_apply__c2",
    "_v"."contribution_months" >= "_v"."min_contribution_months" AS "dispatch_must_apply__c3",
    "_v"."layoff_rate" <= "_v"."layoff_limit" AS "dispatch_must_apply__c4"
  FROM "_l3" AS "_v"
)
SELECT
  "_v"."scenario",
  "_v"."entity_id",
  "_v"."region",
  "_v"."name",
  "_v"."size",
  "_v"."labour_dispatch",
  "_v"."closed_on",
  "_v"."year_start",
  "_v"."prev_year_start",
  "_v"."prev_year_end",
  "_v"."before_prev_year_end",
  "_v"."deregistered",
  "_v"."contribution_months",
  "_v"."insured_person_months",
  "_v"."insured_headcount",
  "_v"."headcount_before_prev_year_end",
  "_v"."headcount_prev_year_end",
  "_v"."separations",
  "_v"."separation_rate",
  "_v"."net_reduction_rate",
  "_v"."layoff_rate",
  "_v"."small_staff",
  "_v"."layoff_limit",
  "_v"."paid_last_year",
  "_v"."back_paid_last_year",
  "_v"."large_enterprise",
  "_v"."refund_ratio",
  COALESCE(
    "_v"."refund_eligible__c1"
    AND "_v"."refund_eligible__c2"
    AND "_v"."refund_eligible__c3"
    AND "_v"."refund_eligible__c4"
    AND "_v"."refund_eligible__c5",
    FALSE
  ) AS "refund_eligible__hit",
  CASE
    WHEN COALESCE(
      "_v"."refund_eligible__c1"
      AND "_v"."refund_eligible__c2"
      AND "_v"."refund_eligible__c3"
      AND "_v"."refund_eligible__c4"
      AND "_v"."refund_eligible__c5",
      FALSE
    )
    THEN CAST(ROUND("_v"."paid_last_year" * "_v"."refund_ratio", 2) AS DECIMAL(38, 2))
  END AS "refund_eligible__amount",
  "_v"."refund_eligible__c1",
  "_v"."refund_eligible__c2",
  "_v"."refund_eligible__c3",
  "_v"."refund_eligible__c4",
  "_v"."refund_eligible__c5",
  COALESCE(
    "_v"."dispatch_must_apply__c1"
    AND "_v"."dispatch_must_apply__c2"
    AND "_v"."dispatch_must_apply__c3"
    AND "_v"."dispatch_must_apply__c4",
    FALSE
  ) AS "dispatch_must_apply__hit",
  CASE
    WHEN COALESCE(
      "_v"."dispatch_must_apply__c1"
      AND "_v"."dispatch_must_apply__c2"
      AND "_v"."dispatch_must_apply__c3"
      AND "_v"."dispatch_must_apply__c4",
      FALSE
    )
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "dispatch_must_apply__amount",
  "_v"."dispatch_must_apply__c1",
  "_v"."dispatch_must_apply__c2",
  "_v"."dispatch_must_apply__c3",
  "_v"."dispatch_must_apply__c4"
FROM "_r" AS "_v"
