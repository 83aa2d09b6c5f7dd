WITH "_params" AS (
  SELECT
    'base' AS "scenario"
), "_l0" AS (
  SELECT
    "_p"."scenario",
    "_e"."enterprise_id" AS "entity_id",
    "_e"."region_code" AS "region",
    "_e"."established_on" AS "established_on",
    "_e"."closed_on" AS "closed_on"
  FROM "enterprises" AS "_e"
  CROSS JOIN "_params" AS "_p"
  WHERE
    "_e"."enterprise_id" IN ($entity_id)
), "_l1" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."established_on",
    "_v"."closed_on",
    CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT) AS "code_alphabet",
    CAST(LENGTH("_v"."entity_id") = 18
    AND TRANSLATE("_v"."entity_id", CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), '') = '' AS BOOLEAN) AS "code_well_formed",
    CAST(1 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 1, 1)) - 1
    ) + 3 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 2, 1)) - 1
    ) + 9 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 3, 1)) - 1
    ) + 27 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 4, 1)) - 1
    ) + 19 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 5, 1)) - 1
    ) + 26 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 6, 1)) - 1
    ) + 16 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 7, 1)) - 1
    ) + 17 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 8, 1)) - 1
    ) + 20 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 9, 1)) - 1
    ) + 29 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 10, 1)) - 1
    ) + 25 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 11, 1)) - 1
    ) + 13 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 12, 1)) - 1
    ) + 8 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 13, 1)) - 1
    ) + 24 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 14, 1)) - 1
    ) + 10 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 15, 1)) - 1
    ) + 30 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 16, 1)) - 1
    ) + 28 * (
      STRPOS(CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT), SUBSTR("_v"."entity_id", 17, 1)) - 1
    ) AS BIGINT) AS "code_weighted_sum"
  FROM "_l0" AS "_v"
), "_l2" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."established_on",
    "_v"."closed_on",
    "_v"."code_alphabet",
    "_v"."code_well_formed",
    "_v"."code_weighted_sum",
    CAST(SUBSTR(
      CAST('0123456789ABCDEFGHJKLMNPQRTUWXY' AS TEXT),
      CAST((
        (
          31 - (
            "_v"."code_weighted_sum" % 31
          )
        ) % 31
      ) + 1 AS INT),
      1
    ) AS TEXT) AS "expected_check_char"
  FROM "_l1" AS "_v"
), "_r" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."established_on",
    "_v"."closed_on",
    "_v"."code_alphabet",
    "_v"."code_well_formed",
    "_v"."code_weighted_sum",
    "_v"."expected_check_char",
    NOT "_v"."code_well_formed" AS "credit_code_malformed__c1",
    "_v"."code_well_formed" AS "credit_code_check_char__c1",
    SUBSTR("_v"."entity_id", 18, 1) <> "_v"."expected_check_char" AS "credit_code_check_char__c2",
    "_v"."established_on" > CAST('2025-06-30' AS DATE) AS "established_after_as_of__c1",
    "_v"."closed_on" < "_v"."established_on" AS "closed_before_established__c1"
  FROM "_l2" AS "_v"
)
SELECT
  "_v"."scenario",
  "_v"."entity_id",
  "_v"."region",
  "_v"."established_on",
  "_v"."closed_on",
  "_v"."code_alphabet",
  "_v"."code_well_formed",
  "_v"."code_weighted_sum",
  "_v"."expected_check_char",
  COALESCE("_v"."credit_code_malformed__c1", FALSE) AS "credit_code_malformed__hit",
  CASE
    WHEN COALESCE("_v"."credit_code_malformed__c1", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "credit_code_malformed__amount",
  "_v"."credit_code_malformed__c1",
  COALESCE("_v"."credit_code_check_char__c1" AND "_v"."credit_code_check_char__c2", FALSE) AS "credit_code_check_char__hit",
  CASE
    WHEN COALESCE("_v"."credit_code_check_char__c1" AND "_v"."credit_code_check_char__c2", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "credit_code_check_char__amount",
  "_v"."credit_code_check_char__c1",
  "_v"."credit_code_check_char__c2",
  COALESCE("_v"."established_after_as_of__c1", FALSE) AS "established_after_as_of__hit",
  CASE
    WHEN COALESCE("_v"."established_after_as_of__c1", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "established_after_as_of__amount",
  "_v"."established_after_as_of__c1",
  COALESCE("_v"."closed_before_established__c1", FALSE) AS "closed_before_established__hit",
  CASE
    WHEN COALESCE("_v"."closed_before_established__c1", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "closed_before_established__amount",
  "_v"."closed_before_established__c1"
FROM "_r" AS "_v"
