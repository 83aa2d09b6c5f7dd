WITH "_params" AS (
  SELECT
    'base' AS "scenario"
), "_a_person_known" AS (
  SELECT
    "_t"."person_id" AS "entity_id",
    COUNT(*) > 0 AS "value"
  FROM "persons" AS "_t"
  WHERE
    "_t"."person_id" IN ($entity_id)
  GROUP BY
    "_t"."person_id"
), "_a_enterprise_known" AS (
  SELECT
    "_t"."enterprise_id" AS "_on1",
    COUNT(*) > 0 AS "value"
  FROM "enterprises" AS "_t"
  WHERE
    "_t"."enterprise_id" IN (
      SELECT
        "_f2"."enterprise_id"
      FROM "contributions" AS "_f2"
      WHERE
        "_f2"."person_id" IN ($entity_id)
    )
  GROUP BY
    "_t"."enterprise_id"
), "_l0" AS (
  SELECT
    "_p"."scenario",
    "_e"."person_id" AS "entity_id",
    CAST(NULL AS TEXT) AS "region",
    "_e"."enterprise_id" AS "enterprise_id",
    "_e"."scheme" AS "scheme",
    "_e"."period" AS "period",
    CAST("_e"."employer_amount" AS DECIMAL(38, 2)) AS "employer_amount",
    CAST("_e"."employee_amount" AS DECIMAL(38, 2)) AS "employee_amount",
    COALESCE(CAST("_a_person_known"."value" AS BOOLEAN), FALSE) AS "person_known",
    COALESCE(CAST("_a_enterprise_known"."value" AS BOOLEAN), FALSE) AS "enterprise_known"
  FROM "contributions" AS "_e"
  CROSS JOIN "_params" AS "_p"
  LEFT JOIN "_a_person_known"
    ON "_a_person_known"."entity_id" = "_e"."person_id"
  LEFT JOIN "_a_enterprise_known"
    ON "_a_enterprise_known"."_on1" = "_e"."enterprise_id"
  WHERE
    "_e"."person_id" IN ($entity_id)
), "_r" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."enterprise_id",
    "_v"."scheme",
    "_v"."period",
    "_v"."employer_amount",
    "_v"."employee_amount",
    "_v"."person_known",
    "_v"."enterprise_known",
    NOT "_v"."person_known" AS "contribution_person_missing__c1",
    NOT "_v"."enterprise_id" IS NULL AS "contribution_enterprise_missing__c1",
    NOT "_v"."enterprise_known" AS "contribution_enterprise_missing__c2",
    "_v"."employer_amount" < 0 AS "contribution_negative_amount__c1",
    "_v"."employee_amount" < 0 AS "contribution_negative_amount__c2"
  FROM "_l0" AS "_v"
)
SELECT
  "_v"."scenario",
  "_v"."entity_id",
  "_v"."region",
  "_v"."enterprise_id",
  "_v"."scheme",
  "_v"."period",
  "_v"."employer_amount",
  "_v"."employee_amount",
  "_v"."person_known",
  "_v"."enterprise_known",
  COALESCE("_v"."contribution_person_missing__c1", FALSE) AS "contribution_person_missing__hit",
  CASE
    WHEN COALESCE("_v"."contribution_person_missing__c1", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "contribution_person_missing__amount",
  "_v"."contribution_person_missing__c1",
  COALESCE(
    "_v"."contribution_enterprise_missing__c1"
    AND "_v"."contribution_enterprise_missing__c2",
    FALSE
  ) AS "contribution_enterprise_missing__hit",
  CASE
    WHEN COALESCE(
      "_v"."contribution_enterprise_missing__c1"
      AND "_v"."contribution_enterprise_missing__c2",
      FALSE
    )
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "contribution_enterprise_missing__amount",
  "_v"."contribution_enterprise_missing__c1",
  "_v"."contribution_enterprise_missing__c2",
  COALESCE(
    "_v"."contribution_negative_amount__c1"
    OR "_v"."contribution_negative_amount__c2",
    FALSE
  ) AS "contribution_negative_amount__hit",
  CASE
    WHEN COALESCE(
      "_v"."contribution_negative_amount__c1"
      OR "_v"."contribution_negative_amount__c2",
      FALSE
    )
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "contribution_negative_amount__amount",
  "_v"."contribution_negative_amount__c1",
  "_v"."contribution_negative_amount__c2"
FROM "_r" AS "_v"
