WITH "_params" AS (
  SELECT
    'base' AS "scenario",
    CAST('0.00' AS DECIMAL(38, 2)) AS "min_paid"
), "_c_spell__a_pension_months_here" AS (
  SELECT
    "_t"."person_id" AS "_on1",
    "_t"."enterprise_id" AS "_on2",
    COUNT(*) AS "value"
  FROM "contributions" AS "_t"
  WHERE
    "_t"."scheme" = 'pension' AND "_t"."person_id" IN ('370102198503010111')
  GROUP BY
    "_t"."person_id",
    "_t"."enterprise_id"
), "_c_spell__l0" AS (
  SELECT
    "_p"."scenario",
    "_e"."spell_id" AS "entity_id",
    CAST(NULL AS TEXT) AS "region",
    "_p"."min_paid" AS "min_paid",
    "_e"."person_id" AS "person_id",
    "_e"."enterprise_id" AS "enterprise_id",
    "_e"."start_date" AS "start_date",
    "_e"."end_date" AS "end_date",
    COALESCE(CAST("_c_spell__a_pension_months_here"."value" AS BIGINT), CAST(0 AS BIGINT)) AS "pension_months_here"
  FROM "employment_spells" AS "_e"
  CROSS JOIN "_params" AS "_p"
  LEFT JOIN "_c_spell__a_pension_months_here"
    ON "_c_spell__a_pension_months_here"."_on1" = "_e"."person_id"
    AND "_c_spell__a_pension_months_here"."_on2" = "_e"."enterprise_id"
  WHERE
    "_e"."person_id" IN ('370102198503010111')
), "_c_spell__l1" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."min_paid",
    "_v"."person_id",
    "_v"."enterprise_id",
    "_v"."start_date",
    "_v"."end_date",
    "_v"."pension_months_here",
    CAST("_v"."start_date" <= CAST('2025-06-30' AS DATE)
    AND (
      "_v"."end_date" IS NULL OR "_v"."end_date" >= CAST('2025-06-30' AS DATE)
    ) AS BOOLEAN) AS "active"
  FROM "_c_spell__l0" AS "_v"
), "_c_payment__l0" AS (
  SELECT
    "_p"."scenario",
    "_e"."payment_id" AS "entity_id",
    "_e"."region_code" AS "region",
    "_p"."min_paid" AS "min_paid",
    "_e"."person_id" AS "person_id",
    "_e"."benefit" AS "benefit",
    "_e"."period" AS "period",
    CAST("_e"."amount" AS DECIMAL(38, 2)) AS "paid"
  FROM "benefit_payments" AS "_e"
  CROSS JOIN "_params" AS "_p"
  WHERE
    "_e"."person_id" IN ('370102198503010111')
), "_c_payment__l1" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."min_paid",
    "_v"."person_id",
    "_v"."benefit",
    "_v"."period",
    "_v"."paid",
    CAST((
      CAST("_v"."period" + TO_MONTHS(1) AS DATE) + -1
    ) AS DATE) AS "period_end"
  FROM "_c_payment__l0" AS "_v"
), "_c_payment__a_spells_in_month" AS (
  SELECT
    "_v"."scenario",
    "_v"."person_id" AS "_g1",
    "_v"."period_end" AS "_g2",
    "_v"."period" AS "_g3",
    COUNT(*) AS "value"
  FROM (
    SELECT DISTINCT
      "_v"."scenario",
      "_v"."person_id",
      "_v"."period_end",
      "_v"."period"
    FROM "_c_payment__l1" AS "_v"
  ) AS "_v"
  JOIN "employment_spells" AS "_t"
    ON "_t"."person_id" = "_v"."person_id"
  WHERE
    (
      "_t"."start_date" <= "_v"."period_end"
      AND (
        "_t"."end_date" IS NULL OR "_t"."end_date" >= "_v"."period"
      )
    )
    AND "_t"."person_id" IN ('370102198503010111')
  GROUP BY
    "_v"."scenario",
    "_v"."person_id",
    "_v"."period_end",
    "_v"."period"
), "_c_payment__l2" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."min_paid",
    "_v"."person_id",
    "_v"."benefit",
    "_v"."period",
    "_v"."paid",
    "_v"."period_end",
    COALESCE(CAST("_c_payment__a_spells_in_month"."value" AS BIGINT), CAST(0 AS BIGINT)) AS "spells_in_month"
  FROM "_c_payment__l1" AS "_v"
  LEFT JOIN "_c_payment__a_spells_in_month"
    ON "_c_payment__a_spells_in_month"."scenario" = "_v"."scenario"
    AND "_c_payment__a_spells_in_month"."_g1" IS NOT DISTINCT FROM "_v"."person_id"
    AND "_c_payment__a_spells_in_month"."_g2" IS NOT DISTINCT FROM "_v"."period_end"
    AND "_c_payment__a_spells_in_month"."_g3" IS NOT DISTINCT FROM "_v"."period"
), "_a_jobs_without_pension" AS (
  SELECT
    "_t"."scenario",
    "_t"."person_id" AS "entity_id",
    COUNT(*) AS "value"
  FROM "_c_spell__l1" AS "_t"
  WHERE
    "_t"."active" AND "_t"."pension_months_here" = 0
  GROUP BY
    "_t"."scenario",
    "_t"."person_id"
), "_l0" AS (
  SELECT
    "_p"."scenario",
    "_e"."person_id" AS "entity_id",
    "_e"."hukou_region" AS "region",
    "_p"."min_paid" AS "min_paid",
    COALESCE(CAST("_a_jobs_without_pension"."value" AS BIGINT), CAST(0 AS BIGINT)) AS "jobs_without_pension"
  FROM "persons" AS "_e"
  CROSS JOIN "_params" AS "_p"
  LEFT JOIN "_a_jobs_without_pension"
    ON "_a_jobs_without_pension"."scenario" = "_p"."scenario"
    AND "_a_jobs_without_pension"."entity_id" = "_e"."person_id"
  WHERE
    "_e"."person_id" IN ('370102198503010111')
), "_a_payments_while_employed" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    COUNT(*) AS "value"
  FROM "_l0" AS "_v"
  JOIN "_c_payment__l2" AS "_t"
    ON "_t"."scenario" = "_v"."scenario" AND "_t"."person_id" = "_v"."entity_id"
  WHERE
    "_t"."benefit" = 'unemployment'
    AND "_t"."spells_in_month" > 0
    AND "_t"."paid" >= "_v"."min_paid"
  GROUP BY
    "_v"."scenario",
    "_v"."entity_id"
), "_a_paid_while_employed" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    SUM("_t"."paid") AS "value"
  FROM "_l0" AS "_v"
  JOIN "_c_payment__l2" AS "_t"
    ON "_t"."scenario" = "_v"."scenario" AND "_t"."person_id" = "_v"."entity_id"
  WHERE
    "_t"."benefit" = 'unemployment'
    AND "_t"."spells_in_month" > 0
    AND "_t"."paid" >= "_v"."min_paid"
  GROUP BY
    "_v"."scenario",
    "_v"."entity_id"
), "_l1" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."min_paid",
    "_v"."jobs_without_pension",
    COALESCE(CAST("_a_payments_while_employed"."value" AS BIGINT), CAST(0 AS BIGINT)) AS "payments_while_employed",
    COALESCE(
      CAST("_a_paid_while_employed"."value" AS DECIMAL(38, 2)),
      CAST('0' AS DECIMAL(38, 2))
    ) AS "paid_while_employed"
  FROM "_l0" AS "_v"
  LEFT JOIN "_a_payments_while_employed"
    ON "_a_payments_while_employed"."scenario" = "_v"."scenario"
    AND "_a_payments_while_employed"."entity_id" = "_v"."entity_id"
  LEFT JOIN "_a_paid_while_employed"
    ON "_a_paid_while_employed"."scenario" = "_v"."scenario"
    AND "_a_paid_while_employed"."entity_id" = "_v"."entity_id"
), "_r" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."min_paid",
    "_v"."jobs_without_pension",
    "_v"."payments_while_employed",
    "_v"."paid_while_employed",
    "_v"."jobs_without_pension" > 0 AS "uninsured_job__c1",
    "_v"."payments_while_employed" > 0 AS "benefit_while_employed__c1"
  FROM "_l1" AS "_v"
)
SELECT
  "_v"."scenario",
  "_v"."entity_id",
  "_v"."region",
  "_v"."jobs_without_pension",
  "_v"."payments_while_employed",
  "_v"."paid_while_employed",
  COALESCE("_v"."uninsured_job__c1", FALSE) AS "uninsured_job__hit",
  CASE
    WHEN COALESCE("_v"."uninsured_job__c1", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "uninsured_job__amount",
  "_v"."uninsured_job__c1",
  COALESCE("_v"."benefit_while_employed__c1", FALSE) AS "benefit_while_employed__hit",
  CASE
    WHEN COALESCE("_v"."benefit_while_employed__c1", FALSE)
    THEN CAST("_v"."paid_while_employed" AS DECIMAL(38, 2))
  END AS "benefit_while_employed__amount",
  "_v"."benefit_while_employed__c1"
FROM "_r" AS "_v"
