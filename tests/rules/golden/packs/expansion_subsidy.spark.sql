WITH `_params` AS (
  SELECT
    'base' AS `scenario`,
    CAST(3 AS BIGINT) AS `min_contribution_months`,
    CAST('1500.00' AS DECIMAL(38, 2)) AS `subsidy_per_hire`,
    CAST(16 AS BIGINT) AS `min_age`,
    CAST(24 AS BIGINT) AS `max_age`,
    CAST('2025-01-01' AS DATE) AS `hire_window_start`,
    CAST('2025-12-31' AS DATE) AS `hire_window_end`
), `_a_worker_birth_date` AS (
  SELECT
    `_t`.`person_id` AS `_on1`,
    MAX(`_t`.`birth_date`) AS `value`
  FROM `persons` AS `_t`
  GROUP BY
    `_t`.`person_id`
), `_l0` AS (
  SELECT
    `_p`.`scenario`,
    `_e`.`spell_id` AS `entity_id`,
    CAST(NULL AS STRING) AS `region`,
    `_p`.`min_contribution_months` AS `min_contribution_months`,
    `_p`.`subsidy_per_hire` AS `subsidy_per_hire`,
    `_p`.`min_age` AS `min_age`,
    `_p`.`max_age` AS `max_age`,
    `_p`.`hire_window_start` AS `hire_window_start`,
    `_p`.`hire_window_end` AS `hire_window_end`,
    `_e`.`person_id` AS `worker`,
    `_e`.`enterprise_id` AS `employer`,
    `_e`.`start_date` AS `hired_on`,
    `_e`.`end_date` AS `left_on`,
    CAST(`_a_worker_birth_date`.`value` AS DATE) AS `worker_birth_date`
  FROM `employment_spells` AS `_e`
  CROSS JOIN `_params` AS `_p`
  LEFT JOIN `_a_worker_birth_date`
    ON `_a_worker_birth_date`.`_on1` = `_e`.`person_id`
), `_l1` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`entity_id`,
    `_v`.`region`,
    `_v`.`min_contribution_months`,
    `_v`.`subsidy_per_hire`,
    `_v`.`min_age`,
    `_v`.`max_age`,
    `_v`.`hire_window_start`,
    `_v`.`hire_window_end`,
    `_v`.`worker`,
    `_v`.`employer`,
    `_v`.`hired_on`,
    `_v`.`left_on`,
    `_v`.`worker_birth_date`,
    CAST((
      CASE
        WHEN `_v`.`hired_on` >= `_v`.`worker_birth_date`
        THEN (
          (
            (
              (
                YEAR(`_v`.`hired_on`) - YEAR(`_v`.`worker_birth_date`)
              ) * 12
            ) + MONTH(`_v`.`hired_on`)
          ) - MONTH(`_v`.`worker_birth_date`)
        ) - CASE
          WHEN DAY(`_v`.`hired_on`) < DAY(`_v`.`worker_birth_date`)
          AND DAY(DATE_ADD(`_v`.`hired_on`, 1)) <> 1
          THEN 1
          ELSE 0
        END
        ELSE -(
          (
            (
              (
                (
                  YEAR(`_v`.`worker_birth_date`) - YEAR(`_v`.`hired_on`)
                ) * 12
              ) + MONTH(`_v`.`worker_birth_date`)
            ) - MONTH(`_v`.`hired_on`)
          ) - CASE
            WHEN DAY(`_v`.`worker_birth_date`) < DAY(`_v`.`hired_on`)
            AND DAY(DATE_ADD(`_v`.`worker_birth_date`, 1)) <> 1
            THEN 1
            ELSE 0
          END
        )
      END DIV 12
    ) AS BIGINT) AS `age_at_hire`,
    CAST(MAKE_DATE(CAST(YEAR(`_v`.`hired_on`) AS INT), CAST(MONTH(`_v`.`hired_on`) AS INT), 1) AS DATE) AS `hire_month`,
    CAST(`_v`.`hired_on` BETWEEN `_v`.`hire_window_start` AND `_v`.`hire_window_end`
    AND `_v`.`hired_on` <= CAST('2025-06-30' AS DATE) AS BOOLEAN) AS `hired_in_window`,
    CAST(`_v`.`left_on` IS NULL OR `_v`.`left_on` > CAST('2025-06-30' AS DATE) AS BOOLEAN) AS `still_employed`
  FROM `_l0` AS `_v`
), `_a_unemployment_months_etc` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`worker` AS `_g1`,
    `_v`.`employer` AS `_g2`,
    `_v`.`hire_month` AS `_g3`,
    (
      COUNT(DISTINCT `_t`.`period`) FILTER(WHERE
        `_t`.`scheme` = 'unemployment')
    ) AS `value_unemployment_months`,
    (
      COUNT(DISTINCT `_t`.`period`) FILTER(WHERE
        `_t`.`scheme` = 'injury')
    ) AS `value_injury_months`,
    (
      COUNT(DISTINCT `_t`.`period`) FILTER(WHERE
        `_t`.`scheme` = 'pension')
    ) AS `value_pension_months`
  FROM (
    SELECT DISTINCT
      `_v`.`scenario`,
      `_v`.`worker`,
      `_v`.`employer`,
      `_v`.`hire_month`
    FROM `_l1` AS `_v`
  ) AS `_v`
  JOIN `contributions` AS `_t`
    ON `_t`.`person_id` = `_v`.`worker` AND `_t`.`enterprise_id` = `_v`.`employer`
  WHERE
    `_t`.`period` >= `_v`.`hire_month`
    AND `_t`.`period` <= CAST('2025-06-30' AS DATE)
    AND (
      (
        `_t`.`scheme` = 'unemployment'
      )
      OR (
        `_t`.`scheme` = 'injury'
      )
      OR (
        `_t`.`scheme` = 'pension'
      )
    )
  GROUP BY
    `_v`.`scenario`,
    `_v`.`worker`,
    `_v`.`employer`,
    `_v`.`hire_month`
), `_l2` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`entity_id`,
    `_v`.`region`,
    `_v`.`min_contribution_months`,
    `_v`.`subsidy_per_hire`,
    `_v`.`min_age`,
    `_v`.`max_age`,
    `_v`.`hire_window_start`,
    `_v`.`hire_window_end`,
    `_v`.`worker`,
    `_v`.`employer`,
    `_v`.`hired_on`,
    `_v`.`left_on`,
    `_v`.`worker_birth_date`,
    `_v`.`age_at_hire`,
    `_v`.`hire_month`,
    `_v`.`hired_in_window`,
    `_v`.`still_employed`,
    COALESCE(
      CAST(`_a_unemployment_months_etc`.`value_unemployment_months` AS BIGINT),
      CAST(0 AS BIGINT)
    ) AS `unemployment_months`,
    COALESCE(
      CAST(`_a_unemployment_months_etc`.`value_injury_months` AS BIGINT),
      CAST(0 AS BIGINT)
    ) AS `injury_months`,
    COALESCE(
      CAST(`_a_unemployment_months_etc`.`value_pension_months` AS BIGINT),
      CAST(0 AS BIGINT)
    ) AS `pension_months`,
    CAST(`_v`.`age_at_hire` BETWEEN `_v`.`min_age` AND `_v`.`max_age` AS BOOLEAN) AS `target_age`
  FROM `_l1` AS `_v`
  LEFT JOIN `_a_unemployment_months_etc`
    ON `_a_unemployment_months_etc`.`scenario` = `_v`.`scenario`
    AND `_a_unemployment_months_etc`.`_g1` IS NOT DISTINCT FROM `_v`.`worker`
    AND `_a_unemployment_months_etc`.`_g2` IS NOT DISTINCT FROM `_v`.`employer`
    AND `_a_unemployment_months_etc`.`_g3` IS NOT DISTINCT FROM `_v`.`hire_month`
), `_l3` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`entity_id`,
    `_v`.`region`,
    `_v`.`min_contribution_months`,
    `_v`.`subsidy_per_hire`,
    `_v`.`min_age`,
    `_v`.`max_age`,
    `_v`.`hire_window_start`,
    `_v`.`hire_window_end`,
    `_v`.`worker`,
    `_v`.`employer`,
    `_v`.`hired_on`,
    `_v`.`left_on`,
    `_v`.`worker_birth_date`,
    `_v`.`age_at_hire`,
    `_v`.`hire_month`,
    `_v`.`hired_in_window`,
    `_v`.`still_employed`,
    `_v`.`unemployment_months`,
    `_v`.`injury_months`,
    `_v`.`pension_months`,
    `_v`.`target_age`,
    CAST(LEAST(`_v`.`unemployment_months`, `_v`.`injury_months`, `_v`.`pension_months`) AS BIGINT) AS `contribution_months`
  FROM `_l2` AS `_v`
), `_r` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`entity_id`,
    `_v`.`region`,
    `_v`.`min_contribution_months`,
    `_v`.`subsidy_per_hire`,
    `_v`.`min_age`,
    `_v`.`max_age`,
    `_v`.`hire_window_start`,
    `_v`.`hire_window_end`,
    `_v`.`worker`,
    `_v`.`employer`,
    `_v`.`hired_on`,
    `_v`.`left_on`,
    `_v`.`worker_birth_date`,
    `_v`.`age_at_hire`,
    `_v`.`hire_month`,
    `_v`.`hired_in_window`,
    `_v`.`still_employed`,
    `_v`.`unemployment_months`,
    `_v`.`injury_months`,
    `_v`.`pension_months`,
    `_v`.`target_age`,
    `_v`.`contribution_months`,
    `_v`.`hired_in_window` AS `expansion_eligible__c1`,
    `_v`.`target_age` AS `expansion_eligible__c2`,
    `_v`.`contribution_months` >= `_v`.`min_contribution_months` AS `expansion_eligible__c3`,
    `_v`.`hired_in_window` AS `awaiting_contributions__c1`,
    `_v`.`target_age` AS `awaiting_contributions__c2`,
    `_v`.`still_employed` AS `awaiting_contributions__c3`,
    `_v`.`contribution_months` < `_v`.`min_contribution_months` AS `awaiting_contributions__c4`
  FROM `_l3` AS `_v`
)
SELECT
  `_v`.`scenario`,
  `_v`.`entity_id`,
  `_v`.`region`,
  `_v`.`worker`,
  `_v`.`employer`,
  `_v`.`hired_on`,
  `_v`.`left_on`,
  `_v`.`worker_birth_date`,
  `_v`.`age_at_hire`,
  `_v`.`hire_month`,
  `_v`.`unemployment_months`,
  `_v`.`injury_months`,
  `_v`.`pension_months`,
  `_v`.`contribution_months`,
  `_v`.`hired_in_window`,
  `_v`.`target_age`,
  `_v`.`still_employed`,
  COALESCE(
    `_v`.`expansion_eligible__c1`
    AND `_v`.`expansion_eligible__c2`
    AND `_v`.`expansion_eligible__c3`,
    FALSE
  ) AS `expansion_eligible__hit`,
  CASE
    WHEN COALESCE(
      `_v`.`expansion_eligible__c1`
      AND `_v`.`expansion_eligible__c2`
      AND `_v`.`expansion_eligible__c3`,
      FALSE
    )
    THEN CAST(`_v`.`subsidy_per_hire` AS DECIMAL(38, 2))
  END AS `expansion_eligible__amount`,
  `_v`.`expansion_eligible__c1`,
  `_v`.`expansion_eligible__c2`,
  `_v`.`expansion_eligible__c3`,
  COALESCE(
    `_v`.`awaiting_contributions__c1`
    AND `_v`.`awaiting_contributions__c2`
    AND `_v`.`awaiting_contributions__c3`
    AND `_v`.`awaiting_contributions__c4`,
    FALSE
  ) AS `awaiting_contributions__hit`,
  CASE
    WHEN COALESCE(
      `_v`.`awaiting_contributions__c1`
      AND `_v`.`awaiting_contributions__c2`
      AND `_v`.`awaiting_contributions__c3`
      AND `_v`.`awaiting_contributions__c4`,
      FALSE
    )
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS `awaiting_contributions__amount`,
  `_v`.`awaiting_contributions__c1`,
  `_v`.`awaiting_contributions__c2`,
  `_v`.`awaiting_contributions__c3`,
  `_v`.`awaiting_contributions__c4`
FROM `_r` AS `_v`
