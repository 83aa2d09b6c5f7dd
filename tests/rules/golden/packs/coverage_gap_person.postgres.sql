WITH "_params" AS (
  SELECT
    'base' AS "scenario",
    CAST(30 AS BIGINT) AS "registration_grace_days"
), "_c_spell__a_insured_here" AS (
  SELECT
    "_t"."person_id" AS "_on1",
    "_t"."enterprise_id" AS "_on2",
    COUNT(*) AS "value"
  FROM "insurance_enrolments" AS "_t"
  WHERE
    "_t"."kind" = 'employee'
    AND "_t"."scheme" IN ('pension', 'injury')
    AND "_t"."start_date" <= CAST('2025-06-30' AS DATE)
    AND (
      "_t"."end_date" IS NULL OR "_t"."end_date" >= CAST('2025-06-30' AS DATE)
    )
  GROUP BY
    "_t"."person_id",
    "_t"."enterprise_id"
), "_c_spell__l0" AS (
  SELECT
    "_p"."scenario",
    "_e"."spell_id" AS "entity_id",
    CAST(NULL AS TEXT) AS "region",
    "_p"."registration_grace_days" AS "registration_grace_days",
    "_e"."person_id" AS "person_id",
    "_e"."enterprise_id" AS "enterprise_id",
    "_e"."start_date" AS "start_date",
    "_e"."end_date" AS "end_date",
    COALESCE(CAST("_c_spell__a_insured_here"."value" AS BIGINT), CAST(0 AS BIGINT)) AS "insured_here"
  FROM "employment_spells" AS "_e"
  CROSS JOIN "_params" AS "_p"
  LEFT JOIN "_c_spell__a_insured_here"
    ON "_c_spell__a_insured_here"."_on1" = "_e"."person_id"
    AND "_c_spell__a_insured_here"."_on2" = "_e"."enterprise_id"
), "_c_spell__l1" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."registration_grace_days",
    "_v"."person_id",
    "_v"."enterprise_id",
    "_v"."start_date",
    "_v"."end_date",
    "_v"."insured_here",
    CAST("_v"."start_date" <= CAST('2025-06-30' AS DATE)
    AND (
      "_v"."end_date" IS NULL OR "_v"."end_date" >= CAST('2025-06-30' AS DATE)
    ) AS BOOLEAN) AS "active",
    CAST("_v"."start_date" <= (
      CAST('2025-06-30' AS DATE) + CAST(-"_v"."registration_grace_days" AS INT)
    ) AS BOOLEAN) AS "past_grace"
  FROM "_c_spell__l0" AS "_v"
), "_c_spell__l2" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."registration_grace_days",
    "_v"."person_id",
    "_v"."enterprise_id",
    "_v"."start_date",
    "_v"."end_date",
    "_v"."insured_here",
    "_v"."active",
    "_v"."past_grace",
    CAST("_v"."active" AND "_v"."past_grace" AND "_v"."insured_here" = 0 AS BOOLEAN) AS "uninsured"
  FROM "_c_spell__l1" AS "_v"
), "_a_uninsured_jobs" AS (
  SELECT
    "_t"."scenario",
    "_t"."person_id" AS "entity_id",
    COUNT(*) AS "value"
  FROM "_c_spell__l2" AS "_t"
  WHERE
    "_t"."uninsured"
  GROUP BY
    "_t"."scenario",
    "_t"."person_id"
), "_a_uninsured_since" AS (
  SELECT
    "_t"."scenario",
    "_t"."person_id" AS "entity_id",
    MIN("_t"."start_date") AS "value"
  FROM "_c_spell__l2" AS "_t"
  WHERE
    "_t"."uninsured"
  GROUP BY
    "_t"."scenario",
    "_t"."person_id"
), "_a_uninsured_employer" AS (
  SELECT
    "_t"."scenario",
    "_t"."person_id" AS "entity_id",
    MIN("_t"."enterprise_id") AS "value"
  FROM "_c_spell__l2" AS "_t"
  WHERE
    "_t"."uninsured"
  GROUP BY
    "_t"."scenario",
    "_t"."person_id"
), "_l0" AS (
  SELECT
    "_p"."scenario",
    "_e"."person_id" AS "entity_id",
    "_e"."hukou_region" AS "region",
    "_p"."registration_grace_days" AS "registration_grace_days",
    "_e"."name" AS "name",
    COALESCE(CAST("_a_uninsured_jobs"."value" AS BIGINT), CAST(0 AS BIGINT)) AS "uninsured_jobs",
    CAST("_a_uninsured_since"."value" AS DATE) AS "uninsured_since",
    CAST("_a_uninsured_employer"."value" AS TEXT) AS "uninsured_employer"
  FROM "persons" AS "_e"
  CROSS JOIN "_params" AS "_p"
  LEFT JOIN "_a_uninsured_jobs"
    ON "_a_uninsured_jobs"."scenario" = "_p"."scenario"
    AND "_a_uninsured_jobs"."entity_id" = "_e"."person_id"
  LEFT JOIN "_a_uninsured_since"
    ON "_a_uninsured_since"."scenario" = "_p"."scenario"
    AND "_a_uninsured_since"."entity_id" = "_e"."person_id"
  LEFT JOIN "_a_uninsured_employer"
    ON "_a_uninsured_employer"."scenario" = "_p"."scenario"
    AND "_a_uninsured_employer"."entity_id" = "_e"."person_id"
), "_r" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."registration_grace_days",
    "_v"."name",
    "_v"."uninsured_jobs",
    "_v"."uninsured_since",
    "_v"."uninsured_employer",
    "_v"."uninsured_jobs" > 0 AS "employed_without_insurance__c1"
  FROM "_l0" AS "_v"
)
SELECT
  "_v"."scenario",
  "_v"."entity_id",
  "_v"."region",
  "_v"."name",
  "_v"."uninsured_jobs",
  "_v"."uninsured_since",
  "_v"."uninsured_employer",
  COALESCE("_v"."employed_without_insurance__c1", FALSE) AS "employed_without_insurance__hit",
  CASE
    WHEN COALESCE("_v"."employed_without_insurance__c1", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "employed_without_insurance__amount",
  "_v"."employed_without_insurance__c1"
FROM "_r" AS "_v"
