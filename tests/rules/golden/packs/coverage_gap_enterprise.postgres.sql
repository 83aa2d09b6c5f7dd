WITH "_params" AS (
  SELECT
    'base' AS "scenario",
    CAST(30 AS BIGINT) AS "registration_grace_days"
), "_a1_employment_spells" AS (
  SELECT
    "_t"."enterprise_id" AS "entity_id",
    COUNT(*) AS "value_staff_now",
    MIN("_t"."start_date") AS "value_employing_since"
  FROM "employment_spells" AS "_t"
  WHERE
    "_t"."start_date" <= CAST('2025-06-30' AS DATE)
    AND (
      "_t"."end_date" IS NULL OR "_t"."end_date" >= CAST('2025-06-30' AS DATE)
    )
  GROUP BY
    "_t"."enterprise_id"
), "_l0" AS (
  SELECT
    "_p"."scenario",
    "_e"."enterprise_id" AS "entity_id",
    "_e"."region_code" AS "region",
    "_p"."registration_grace_days" AS "registration_grace_days",
    "_e"."name" AS "name",
    "_e"."insured_on" AS "insured_on",
    "_e"."established_on" AS "established_on",
    COALESCE(CAST("_a1_employment_spells"."value_staff_now" AS BIGINT), CAST(0 AS BIGINT)) AS "staff_now",
    CAST("_a1_employment_spells"."value_employing_since" AS DATE) AS "employing_since"
  FROM "enterprises" AS "_e"
  CROSS JOIN "_params" AS "_p"
  LEFT JOIN "_a1_employment_spells"
    ON "_a1_employment_spells"."entity_id" = "_e"."enterprise_id"
), "_r" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."registration_grace_days",
    "_v"."name",
    "_v"."insured_on",
    "_v"."established_on",
    "_v"."staff_now",
    "_v"."employing_since",
    "_v"."insured_on" IS NULL AS "enterprise_without_registration__c1",
    "_v"."staff_now" > 0 AS "enterprise_without_registration__c2",
    "_v"."established_on" <= (
      CAST('2025-06-30' AS DATE) + CAST(-"_v"."registration_grace_days" AS INT)
    ) AS "enterprise_without_registration__c3"
  FROM "_l0" AS "_v"
)
SELECT
  "_v"."scenario",
  "_v"."entity_id",
  "_v"."region",
  "_v"."name",
  "_v"."insured_on",
  "_v"."established_on",
  "_v"."staff_now",
  "_v"."employing_since",
  COALESCE(
    "_v"."enterprise_without_registration__c1"
    AND "_v"."enterprise_without_registration__c2"
    AND "_v"."enterprise_without_registration__c3",
    FALSE
  ) AS "enterprise_without_registration__hit",
  CASE
    WHEN COALESCE(
      "_v"."enterprise_without_registration__c1"
      AND "_v"."enterprise_without_registration__c2"
      AND "_v"."enterprise_without_registration__c3",
      FALSE
    )
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "enterprise_without_registration__amount",
  "_v"."enterprise_without_registration__c1",
  "_v"."enterprise_without_registration__c2",
  "_v"."enterprise_without_registration__c3"
FROM "_r" AS "_v"
