WITH "_params" AS (
  SELECT
    'base' AS "scenario"
), "_c_contribution__l0" AS (
  SELECT
    "_p"."scenario",
    "_e"."person_id" AS "entity_id",
    CAST(NULL AS TEXT) AS "region",
    "_e"."person_id" AS "person_id",
    "_e"."enterprise_id" AS "enterprise_id",
    "_e"."period" AS "period"
  FROM "contributions" AS "_e"
  CROSS JOIN "_params" AS "_p"
), "_c_contribution__l1" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."person_id",
    "_v"."enterprise_id",
    "_v"."period",
    CAST((
      CAST("_v"."period" + (
        1 * INTERVAL '1 MONTH'
      ) AS DATE) + -1
    ) AS DATE) AS "period_end"
  FROM "_c_contribution__l0" AS "_v"
), "_c_contribution__a_spells_in_month" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id" AS "_g1",
    "_v"."enterprise_id" AS "_g2",
    "_v"."period_end" AS "_g3",
    "_v"."period" AS "_g4",
    COUNT(*) AS "value"
  FROM (
    SELECT DISTINCT
      "_v"."scenario",
      "_v"."entity_id",
      "_v"."enterprise_id",
      "_v"."period_end",
      "_v"."period"
    FROM "_c_contribution__l1" AS "_v"
  ) AS "_v"
  JOIN "employment_spells" AS "_t"
    ON "_t"."person_id" = "_v"."entity_id"
    AND "_t"."enterprise_id" = "_v"."enterprise_id"
  WHERE
    "_t"."start_date" <= "_v"."period_end"
    AND (
      "_t"."end_date" IS NULL OR "_t"."end_date" >= "_v"."period"
    )
  GROUP BY
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."enterprise_id",
    "_v"."period_end",
    "_v"."period"
), "_c_contribution__l2" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."person_id",
    "_v"."enterprise_id",
    "_v"."period",
    "_v"."period_end",
    COALESCE(CAST("_c_contribution__a_spells_in_month"."value" AS BIGINT), CAST(0 AS BIGINT)) AS "spells_in_month"
  FROM "_c_contribution__l1" AS "_v"
  LEFT JOIN "_c_contribution__a_spells_in_month"
    ON "_c_contribution__a_spells_in_month"."scenario" = "_v"."scenario"
    AND "_c_contribution__a_spells_in_month"."_g1" = "_v"."entity_id"
    AND "_c_contribution__a_spells_in_month"."_g2" IS NOT DISTINCT FROM "_v"."enterprise_id"
    AND "_c_contribution__a_spells_in_month"."_g3" IS NOT DISTINCT FROM "_v"."period_end"
    AND "_c_contribution__a_spells_in_month"."_g4" IS NOT DISTINCT FROM "_v"."period"
), "_c_contribution__l3" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."person_id",
    "_v"."enterprise_id",
    "_v"."period",
    "_v"."period_end",
    "_v"."spells_in_month",
    CAST(NOT "_v"."enterprise_id" IS NULL AND "_v"."spells_in_month" = 0 AS BOOLEAN) AS "outside_employment"
  FROM "_c_contribution__l2" AS "_v"
), "_a_death_date" AS (
  SELECT
    "_t"."person_id" AS "entity_id",
    MAX("_t"."death_date") AS "value"
  FROM "deaths" AS "_t"
  GROUP BY
    "_t"."person_id"
), "_a_contributions_outside_employment" AS (
  SELECT
    "_t"."scenario",
    "_t"."person_id" AS "entity_id",
    COUNT(*) AS "value"
  FROM "_c_contribution__l3" AS "_t"
  WHERE
    "_t"."outside_employment"
  GROUP BY
    "_t"."scenario",
    "_t"."person_id"
), "_a_first_period_outside" AS (
  SELECT
    "_t"."scenario",
    "_t"."person_id" AS "entity_id",
    MIN("_t"."period") AS "value"
  FROM "_c_contribution__l3" AS "_t"
  WHERE
    "_t"."outside_employment"
  GROUP BY
    "_t"."scenario",
    "_t"."person_id"
), "_a_employer_outside" AS (
  SELECT
    "_t"."scenario",
    "_t"."person_id" AS "entity_id",
    MIN("_t"."enterprise_id") AS "value"
  FROM "_c_contribution__l3" AS "_t"
  WHERE
    "_t"."outside_employment"
  GROUP BY
    "_t"."scenario",
    "_t"."person_id"
), "_l0" AS (
  SELECT
    "_p"."scenario",
    "_e"."person_id" AS "entity_id",
    "_e"."hukou_region" AS "region",
    "_e"."sex" AS "sex",
    "_e"."birth_date" AS "birth_date",
    CAST("_a_death_date"."value" AS DATE) AS "death_date",
    COALESCE(CAST("_a_contributions_outside_employment"."value" AS BIGINT), CAST(0 AS BIGINT)) AS "contributions_outside_employment",
    CAST("_a_first_period_outside"."value" AS DATE) AS "first_period_outside",
    CAST("_a_employer_outside"."value" AS TEXT) AS "employer_outside"
  FROM "persons" AS "_e"
  CROSS JOIN "_params" AS "_p"
  LEFT JOIN "_a_death_date"
    ON "_a_death_date"."entity_id" = "_e"."person_id"
  LEFT JOIN "_a_contributions_outside_employment"
    ON "_a_contributions_outside_employment"."scenario" = "_p"."scenario"
    AND "_a_contributions_outside_employment"."entity_id" = "_e"."person_id"
  LEFT JOIN "_a_first_period_outside"
    ON "_a_first_period_outside"."scenario" = "_p"."scenario"
    AND "_a_first_period_outside"."entity_id" = "_e"."person_id"
  LEFT JOIN "_a_employer_outside"
    ON "_a_employer_outside"."scenario" = "_p"."scenario"
    AND "_a_employer_outside"."entity_id" = "_e"."person_id"
), "_l1" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."sex",
    "_v"."birth_date",
    "_v"."death_date",
    "_v"."contributions_outside_employment",
    "_v"."first_period_outside",
    "_v"."employer_outside",
    CAST('10X98765432' AS TEXT) AS "check_chars",
    CAST(CASE
      WHEN LENGTH("_v"."entity_id") = 18
      THEN CASE
        WHEN SUBSTR("_v"."entity_id", 1, 17) ~ '^[0-9]{1,18}$'
        THEN CAST(SUBSTR("_v"."entity_id", 1, 17) AS BIGINT)
      END
    END AS BIGINT) AS "id_body"
  FROM "_l0" AS "_v"
), "_l2" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."sex",
    "_v"."birth_date",
    "_v"."death_date",
    "_v"."contributions_outside_employment",
    "_v"."first_period_outside",
    "_v"."employer_outside",
    "_v"."check_chars",
    "_v"."id_body",
    CAST(NOT "_v"."id_body" IS NULL
    AND TRANSLATE(SUBSTR("_v"."entity_id", 18, 1), '0123456789X', '') = '' AS BOOLEAN) AS "id_well_formed",
    CAST(7 * (
      (
        (
          "_v"."id_body" / 10000000000000000
        )
      ) % 10
    ) + 9 * (
      (
        (
          "_v"."id_body" / 1000000000000000
        )
      ) % 10
    ) + 10 * (
      (
        (
          "_v"."id_body" / 100000000000000
        )
      ) % 10
    ) + 5 * (
      (
        (
          "_v"."id_body" / 10000000000000
        )
      ) % 10
    ) + 8 * (
      (
        (
          "_v"."id_body" / 1000000000000
        )
      ) % 10
    ) + 4 * (
      (
        (
          "_v"."id_body" / 100000000000
        )
      ) % 10
    ) + 2 * (
      (
        (
          "_v"."id_body" / 10000000000
        )
      ) % 10
    ) + 1 * (
      (
        (
          "_v"."id_body" / 1000000000
        )
      ) % 10
    ) + 6 * (
      (
        (
          "_v"."id_body" / 100000000
        )
      ) % 10
    ) + 3 * (
      (
        (
          "_v"."id_body" / 10000000
        )
      ) % 10
    ) + 7 * (
      (
        (
          "_v"."id_body" / 1000000
        )
      ) % 10
    ) + 9 * (
      (
        (
          "_v"."id_body" / 100000
        )
      ) % 10
    ) + 10 * (
      (
        (
          "_v"."id_body" / 10000
        )
      ) % 10
    ) + 5 * (
      (
        (
          "_v"."id_body" / 1000
        )
      ) % 10
    ) + 8 * (
      (
        (
          "_v"."id_body" / 100
        )
      ) % 10
    ) + 4 * (
      (
        (
          "_v"."id_body" / 10
        )
      ) % 10
    ) + 2 * (
      "_v"."id_body" % 10
    ) AS BIGINT) AS "id_weighted_sum",
    CAST((
      (
        (
          "_v"."id_body" / 1000
        )
      ) % 100000000
    ) AS BIGINT) AS "id_birth_digits",
    CAST((
      "_v"."id_body" % 10
    ) AS BIGINT) AS "id_sex_digit"
  FROM "_l1" AS "_v"
), "_l3" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."sex",
    "_v"."birth_date",
    "_v"."death_date",
    "_v"."contributions_outside_employment",
    "_v"."first_period_outside",
    "_v"."employer_outside",
    "_v"."check_chars",
    "_v"."id_body",
    "_v"."id_well_formed",
    "_v"."id_weighted_sum",
    "_v"."id_birth_digits",
    "_v"."id_sex_digit",
    CAST(SUBSTR(CAST('10X98765432' AS TEXT), CAST((
      "_v"."id_weighted_sum" % 11
    ) + 1 AS INT), 1) AS TEXT) AS "expected_check_char"
  FROM "_l2" AS "_v"
), "_r" AS (
  SELECT
    "_v"."scenario",
    "_v"."entity_id",
    "_v"."region",
    "_v"."sex",
    "_v"."birth_date",
    "_v"."death_date",
    "_v"."contributions_outside_employment",
    "_v"."first_period_outside",
    "_v"."employer_outside",
    "_v"."check_chars",
    "_v"."id_body",
    "_v"."id_well_formed",
    "_v"."id_weighted_sum",
    "_v"."id_birth_digits",
    "_v"."id_sex_digit",
    "_v"."expected_check_char",
    NOT "_v"."id_well_formed" AS "person_id_malformed__c1",
    "_v"."id_well_formed" AS "person_id_check_digit__c1",
    SUBSTR("_v"."entity_id", 18, 1) <> "_v"."expected_check_char" AS "person_id_check_digit__c2",
    "_v"."id_well_formed" AS "birth_date_mismatch__c1",
    "_v"."id_birth_digits" <> CAST(EXTRACT(YEAR FROM "_v"."birth_date") AS BIGINT) * 10000 + CAST(EXTRACT(MONTH FROM "_v"."birth_date") AS BIGINT) * 100 + CAST(EXTRACT(DAY FROM "_v"."birth_date") AS BIGINT) AS "birth_date_mismatch__c2",
    "_v"."id_well_formed" AS "sex_mismatch__c1",
    (
      (
        "_v"."id_sex_digit" % 2
      ) = 1
    ) <> (
      "_v"."sex" = 'M'
    ) AS "sex_mismatch__c2",
    "_v"."death_date" < "_v"."birth_date" AS "death_before_birth__c1",
    "_v"."birth_date" > CAST('2025-06-30' AS DATE) AS "birth_after_as_of__c1",
    "_v"."death_date" > CAST('2025-06-30' AS DATE) AS "death_after_as_of__c1",
    "_v"."contributions_outside_employment" > 0 AS "contribution_outside_employment__c1"
  FROM "_l3" AS "_v"
)
SELECT
  "_v"."scenario",
  "_v"."entity_id",
  "_v"."region",
  "_v"."sex",
  "_v"."birth_date",
  "_v"."check_chars",
  "_v"."id_body",
  "_v"."id_well_formed",
  "_v"."id_weighted_sum",
  "_v"."expected_check_char",
  "_v"."id_birth_digits",
  "_v"."id_sex_digit",
  "_v"."death_date",
  "_v"."contributions_outside_employment",
  "_v"."first_period_outside",
  "_v"."employer_outside",
  COALESCE("_v"."person_id_malformed__c1", FALSE) AS "person_id_malformed__hit",
  CASE
    WHEN COALESCE("_v"."person_id_malformed__c1", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "person_id_malformed__amount",
  "_v"."person_id_malformed__c1",
  COALESCE("_v"."person_id_check_digit__c1" AND "_v"."person_id_check_digit__c2", FALSE) AS "person_id_check_digit__hit",
  CASE
    WHEN COALESCE("_v"."person_id_check_digit__c1" AND "_v"."person_id_check_digit__c2", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "person_id_check_digit__amount",
  "_v"."person_id_check_digit__c1",
  "_v"."person_id_check_digit__c2",
  COALESCE("_v"."birth_date_mismatch__c1" AND "_v"."birth_date_mismatch__c2", FALSE) AS "birth_date_mismatch__hit",
  CASE
    WHEN COALESCE("_v"."birth_date_mismatch__c1" AND "_v"."birth_date_mismatch__c2", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "birth_date_mismatch__amount",
  "_v"."birth_date_mismatch__c1",
  "_v"."birth_date_mismatch__c2",
  COALESCE("_v"."sex_mismatch__c1" AND "_v"."sex_mismatch__c2", FALSE) AS "sex_mismatch__hit",
  CASE
    WHEN COALESCE("_v"."sex_mismatch__c1" AND "_v"."sex_mismatch__c2", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "sex_mismatch__amount",
  "_v"."sex_mismatch__c1",
  "_v"."sex_mismatch__c2",
  COALESCE("_v"."death_before_birth__c1", FALSE) AS "death_before_birth__hit",
  CASE
    WHEN COALESCE("_v"."death_before_birth__c1", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "death_before_birth__amount",
  "_v"."death_before_birth__c1",
  COALESCE("_v"."birth_after_as_of__c1", FALSE) AS "birth_after_as_of__hit",
  CASE
    WHEN COALESCE("_v"."birth_after_as_of__c1", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "birth_after_as_of__amount",
  "_v"."birth_after_as_of__c1",
  COALESCE("_v"."death_after_as_of__c1", FALSE) AS "death_after_as_of__hit",
  CASE
    WHEN COALESCE("_v"."death_after_as_of__c1", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "death_after_as_of__amount",
  "_v"."death_after_as_of__c1",
  COALESCE("_v"."contribution_outside_employment__c1", FALSE) AS "contribution_outside_employment__hit",
  CASE
    WHEN COALESCE("_v"."contribution_outside_employment__c1", FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS "contribution_outside_employment__amount",
  "_v"."contribution_outside_employment__c1"
FROM "_r" AS "_v"
