WITH `_params` AS (
  SELECT
    'base' AS `scenario`,
    CAST(60 AS BIGINT) AS `retirement_age_men`,
    CAST(55 AS BIGINT) AS `retirement_age_women`,
    CAST(365 AS BIGINT) AS `back_payment_window_days`,
    CAST(12 AS BIGINT) AS `min_back_paid_months`
), `_c_award__a_paid_under_award` AS (
  SELECT
    `_t`.`award_id` AS `entity_id`,
    SUM(`_t`.`amount`) AS `value`
  FROM `benefit_payments` AS `_t`
  WHERE
    `_t`.`award_id` IN (
      SELECT
        `_f2`.`award_id`
      FROM `benefit_awards` AS `_f2`
      WHERE
        `_f2`.`person_id` IN (:entity_id)
    )
  GROUP BY
    `_t`.`award_id`
), `_c_award__l0` AS (
  SELECT
    `_p`.`scenario`,
    `_e`.`award_id` AS `entity_id`,
    `_e`.`region_code` AS `region`,
    `_p`.`retirement_age_men` AS `retirement_age_men`,
    `_p`.`retirement_age_women` AS `retirement_age_women`,
    `_p`.`back_payment_window_days` AS `back_payment_window_days`,
    `_p`.`min_back_paid_months` AS `min_back_paid_months`,
    `_e`.`person_id` AS `person_id`,
    `_e`.`benefit` AS `benefit`,
    `_e`.`basis` AS `basis`,
    `_e`.`start_date` AS `start_date`,
    COALESCE(
      CAST(`_c_award__a_paid_under_award`.`value` AS DECIMAL(38, 2)),
      CAST('0' AS DECIMAL(38, 2))
    ) AS `paid_under_award`,
    `_e`.`end_date` AS `end_date`
  FROM `benefit_awards` AS `_e`
  CROSS JOIN `_params` AS `_p`
  LEFT JOIN `_c_award__a_paid_under_award`
    ON `_c_award__a_paid_under_award`.`entity_id` = `_e`.`award_id`
  WHERE
    `_e`.`person_id` IN (:entity_id)
), `_c_award__a_statutory_birthday` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`person_id` AS `_g1`,
    `_v`.`retirement_age_women` AS `_g2`,
    `_v`.`retirement_age_men` AS `_g3`,
    MAX(
      ADD_MONTHS(
        `_t`.`birth_date`,
        CAST(CASE
          WHEN `_t`.`sex` = 'M'
          THEN 12 * `_v`.`retirement_age_men`
          ELSE 12 * `_v`.`retirement_age_women`
        END AS INT)
      )
    ) AS `value`
  FROM (
    SELECT DISTINCT
      `_v`.`scenario`,
      `_v`.`person_id`,
      `_v`.`retirement_age_women`,
      `_v`.`retirement_age_men`
    FROM `_c_award__l0` AS `_v`
  ) AS `_v`
  JOIN `persons` AS `_t`
    ON `_t`.`person_id` = `_v`.`person_id`
  WHERE
    `_t`.`person_id` IN (:entity_id)
  GROUP BY
    `_v`.`scenario`,
    `_v`.`person_id`,
    `_v`.`retirement_age_women`,
    `_v`.`retirement_age_men`
), `_c_award__a_back_paid_months` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`person_id` AS `_g1`,
    `_v`.`start_date` AS `_g2`,
    `_v`.`back_payment_window_days` AS `_g3`,
    COUNT(*) AS `value`
  FROM (
    SELECT DISTINCT
      `_v`.`scenario`,
      `_v`.`person_id`,
      `_v`.`start_date`,
      `_v`.`back_payment_window_days`
    FROM `_c_award__l0` AS `_v`
  ) AS `_v`
  JOIN `contributions` AS `_t`
    ON `_t`.`person_id` = `_v`.`person_id`
  WHERE
    (
      `_t`.`scheme` = 'pension'
      AND `_t`.`back_payment`
      AND `_t`.`paid_on` >= DATE_ADD(`_v`.`start_date`, CAST(-`_v`.`back_payment_window_days` AS INT))
      AND `_t`.`paid_on` < `_v`.`start_date`
    )
    AND `_t`.`person_id` IN (:entity_id)
  GROUP BY
    `_v`.`scenario`,
    `_v`.`person_id`,
    `_v`.`start_date`,
    `_v`.`back_payment_window_days`
), `_c_award__l1` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`entity_id`,
    `_v`.`region`,
    `_v`.`retirement_age_men`,
    `_v`.`retirement_age_women`,
    `_v`.`back_payment_window_days`,
    `_v`.`min_back_paid_months`,
    `_v`.`person_id`,
    `_v`.`benefit`,
    `_v`.`basis`,
    `_v`.`start_date`,
    `_v`.`paid_under_award`,
    `_v`.`end_date`,
    CAST(`_c_award__a_statutory_birthday`.`value` AS DATE) AS `statutory_birthday`,
    COALESCE(CAST(`_c_award__a_back_paid_months`.`value` AS BIGINT), CAST(0 AS BIGINT)) AS `back_paid_months`,
    CAST(`_v`.`start_date` <= CAST('2025-06-30' AS DATE)
    AND (
      `_v`.`end_date` IS NULL OR `_v`.`end_date` >= CAST('2025-06-30' AS DATE)
    ) AS BOOLEAN) AS `running_at_as_of`
  FROM `_c_award__l0` AS `_v`
  LEFT JOIN `_c_award__a_statutory_birthday`
    ON `_c_award__a_statutory_birthday`.`scenario` = `_v`.`scenario`
    AND `_c_award__a_statutory_birthday`.`_g1` IS NOT DISTINCT FROM `_v`.`person_id`
    AND `_c_award__a_statutory_birthday`.`_g2` IS NOT DISTINCT FROM `_v`.`retirement_age_women`
    AND `_c_award__a_statutory_birthday`.`_g3` IS NOT DISTINCT FROM `_v`.`retirement_age_men`
  LEFT JOIN `_c_award__a_back_paid_months`
    ON `_c_award__a_back_paid_months`.`scenario` = `_v`.`scenario`
    AND `_c_award__a_back_paid_months`.`_g1` IS NOT DISTINCT FROM `_v`.`person_id`
    AND `_c_award__a_back_paid_months`.`_g2` IS NOT DISTINCT FROM `_v`.`start_date`
    AND `_c_award__a_back_paid_months`.`_g3` IS NOT DISTINCT FROM `_v`.`back_payment_window_days`
), `_c_award__a_paid_before_birthday` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`entity_id`,
    SUM(`_t`.`amount`) AS `value`
  FROM `_c_award__l1` AS `_v`
  JOIN `benefit_payments` AS `_t`
    ON `_t`.`award_id` = `_v`.`entity_id`
  WHERE
    `_t`.`period` < `_v`.`statutory_birthday`
    AND `_t`.`award_id` IN (
      SELECT
        `_f3`.`award_id`
      FROM `benefit_awards` AS `_f3`
      WHERE
        `_f3`.`person_id` IN (:entity_id)
    )
  GROUP BY
    `_v`.`scenario`,
    `_v`.`entity_id`
), `_c_award__l2` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`entity_id`,
    `_v`.`region`,
    `_v`.`retirement_age_men`,
    `_v`.`retirement_age_women`,
    `_v`.`back_payment_window_days`,
    `_v`.`min_back_paid_months`,
    `_v`.`person_id`,
    `_v`.`benefit`,
    `_v`.`basis`,
    `_v`.`start_date`,
    `_v`.`paid_under_award`,
    `_v`.`end_date`,
    `_v`.`statutory_birthday`,
    `_v`.`back_paid_months`,
    `_v`.`running_at_as_of`,
    CAST(`_v`.`benefit` = 'pension'
    AND NOT `_v`.`basis` IN ('special_job', 'illness')
    AND `_v`.`start_date` < `_v`.`statutory_birthday` AS BOOLEAN) AS `early_without_basis`,
    COALESCE(
      CAST(`_c_award__a_paid_before_birthday`.`value` AS DECIMAL(38, 2)),
      CAST('0' AS DECIMAL(38, 2))
    ) AS `paid_before_birthday`,
    CAST(`_v`.`benefit` = 'pension'
    AND `_v`.`back_paid_months` >= `_v`.`min_back_paid_months` AS BOOLEAN) AS `bunched_back_payment`
  FROM `_c_award__l1` AS `_v`
  LEFT JOIN `_c_award__a_paid_before_birthday`
    ON `_c_award__a_paid_before_birthday`.`scenario` = `_v`.`scenario`
    AND `_c_award__a_paid_before_birthday`.`entity_id` = `_v`.`entity_id`
), `_c_payment__a_payee_death_date` AS (
  SELECT
    `_t`.`person_id` AS `_on1`,
    MAX(`_t`.`death_date`) AS `value`
  FROM `deaths` AS `_t`
  WHERE
    `_t`.`person_id` IN (:entity_id)
  GROUP BY
    `_t`.`person_id`
), `_c_payment__a2_benefit_payments` AS (
  SELECT
    `_t`.`person_id` AS `_on1`,
    `_t`.`period` AS `_on2`,
    (
      COUNT(*) FILTER(WHERE
        `_t`.`benefit` IN ('pension', 'resident_pension'))
    ) AS `value_pensions_in_month`,
    (
      COUNT(*) FILTER(WHERE
        `_t`.`benefit` = 'unemployment')
    ) AS `value_unemployment_in_month`
  FROM `benefit_payments` AS `_t`
  WHERE
    (
      (
        `_t`.`benefit` IN ('pension', 'resident_pension')
      )
      OR (
        `_t`.`benefit` = 'unemployment'
      )
    )
    AND `_t`.`person_id` IN (:entity_id)
  GROUP BY
    `_t`.`person_id`,
    `_t`.`period`
), `_c_payment__l0` AS (
  SELECT
    `_p`.`scenario`,
    `_e`.`payment_id` AS `entity_id`,
    `_e`.`region_code` AS `region`,
    `_p`.`retirement_age_men` AS `retirement_age_men`,
    `_p`.`retirement_age_women` AS `retirement_age_women`,
    `_p`.`back_payment_window_days` AS `back_payment_window_days`,
    `_p`.`min_back_paid_months` AS `min_back_paid_months`,
    `_e`.`person_id` AS `person_id`,
    `_e`.`award_id` AS `award_id`,
    `_e`.`benefit` AS `benefit`,
    `_e`.`period` AS `period`,
    CAST(`_e`.`amount` AS DECIMAL(38, 2)) AS `paid`,
    CAST(`_c_payment__a_payee_death_date`.`value` AS DATE) AS `payee_death_date`,
    COALESCE(
      CAST(`_c_payment__a2_benefit_payments`.`value_pensions_in_month` AS BIGINT),
      CAST(0 AS BIGINT)
    ) AS `pensions_in_month`,
    COALESCE(
      CAST(`_c_payment__a2_benefit_payments`.`value_unemployment_in_month` AS BIGINT),
      CAST(0 AS BIGINT)
    ) AS `unemployment_in_month`
  FROM `benefit_payments` AS `_e`
  CROSS JOIN `_params` AS `_p`
  LEFT JOIN `_c_payment__a_payee_death_date`
    ON `_c_payment__a_payee_death_date`.`_on1` = `_e`.`person_id`
  LEFT JOIN `_c_payment__a2_benefit_payments`
    ON `_c_payment__a2_benefit_payments`.`_on1` = `_e`.`person_id`
    AND `_c_payment__a2_benefit_payments`.`_on2` = `_e`.`period`
  WHERE
    `_e`.`person_id` IN (:entity_id)
), `_c_payment__a_prison_terms` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`person_id` AS `_g1`,
    `_v`.`period` AS `_g2`,
    COUNT(*) AS `value`
  FROM (
    SELECT DISTINCT
      `_v`.`scenario`,
      `_v`.`person_id`,
      `_v`.`period`
    FROM `_c_payment__l0` AS `_v`
  ) AS `_v`
  JOIN `incarcerations` AS `_t`
    ON `_t`.`person_id` = `_v`.`person_id`
  WHERE
    (
      `_t`.`start_date` < `_v`.`period`
      AND (
        `_t`.`end_date` IS NULL OR `_v`.`period` <= `_t`.`end_date`
      )
    )
    AND `_t`.`person_id` IN (:entity_id)
  GROUP BY
    `_v`.`scenario`,
    `_v`.`person_id`,
    `_v`.`period`
), `_c_payment__l1` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`entity_id`,
    `_v`.`region`,
    `_v`.`retirement_age_men`,
    `_v`.`retirement_age_women`,
    `_v`.`back_payment_window_days`,
    `_v`.`min_back_paid_months`,
    `_v`.`person_id`,
    `_v`.`award_id`,
    `_v`.`benefit`,
    `_v`.`period`,
    `_v`.`paid`,
    `_v`.`payee_death_date`,
    `_v`.`pensions_in_month`,
    `_v`.`unemployment_in_month`,
    CAST(`_v`.`benefit` IN ('pension', 'resident_pension') AS BOOLEAN) AS `pension_type`,
    CAST(DATE_ADD(ADD_MONTHS(`_v`.`period`, 1), -1) AS DATE) AS `period_end`,
    COALESCE(CAST(`_c_payment__a_prison_terms`.`value` AS BIGINT), CAST(0 AS BIGINT)) AS `prison_terms`,
    CAST(`_v`.`benefit` = 'unemployment' AND `_v`.`pensions_in_month` > 0 AS BOOLEAN) AS `while_pension`
  FROM `_c_payment__l0` AS `_v`
  LEFT JOIN `_c_payment__a_prison_terms`
    ON `_c_payment__a_prison_terms`.`scenario` = `_v`.`scenario`
    AND `_c_payment__a_prison_terms`.`_g1` IS NOT DISTINCT FROM `_v`.`person_id`
    AND `_c_payment__a_prison_terms`.`_g2` IS NOT DISTINCT FROM `_v`.`period`
), `_c_payment__a_spells_in_month` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`person_id` AS `_g1`,
    `_v`.`period_end` AS `_g2`,
    `_v`.`period` AS `_g3`,
    COUNT(*) AS `value`
  FROM (
    SELECT DISTINCT
      `_v`.`scenario`,
      `_v`.`person_id`,
      `_v`.`period_end`,
      `_v`.`period`
    FROM `_c_payment__l1` AS `_v`
  ) AS `_v`
  JOIN `employment_spells` AS `_t`
    ON `_t`.`person_id` = `_v`.`person_id`
  WHERE
    (
      `_t`.`start_date` <= `_v`.`period_end`
      AND (
        `_t`.`end_date` IS NULL OR `_t`.`end_date` >= `_v`.`period`
      )
    )
    AND `_t`.`person_id` IN (:entity_id)
  GROUP BY
    `_v`.`scenario`,
    `_v`.`person_id`,
    `_v`.`period_end`,
    `_v`.`period`
), `_c_payment__a_ranked_before` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`entity_id`,
    COUNT(*) AS `value`
  FROM `_c_payment__l1` AS `_v`
  JOIN `benefit_payments` AS `_t`
    ON `_t`.`person_id` = `_v`.`person_id` AND `_t`.`period` = `_v`.`period`
  WHERE
    (
      (
        `_t`.`benefit` = 'unemployment'
      ) = (
        NOT `_v`.`pension_type`
      )
      AND (
        `_t`.`amount` > `_v`.`paid`
        OR (
          `_t`.`amount` = `_v`.`paid` AND `_t`.`payment_id` < `_v`.`entity_id`
        )
      )
    )
    AND `_t`.`person_id` IN (:entity_id)
  GROUP BY
    `_v`.`scenario`,
    `_v`.`entity_id`
), `_c_payment__l2` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`entity_id`,
    `_v`.`region`,
    `_v`.`retirement_age_men`,
    `_v`.`retirement_age_women`,
    `_v`.`back_payment_window_days`,
    `_v`.`min_back_paid_months`,
    `_v`.`person_id`,
    `_v`.`award_id`,
    `_v`.`benefit`,
    `_v`.`period`,
    `_v`.`paid`,
    `_v`.`payee_death_date`,
    `_v`.`pensions_in_month`,
    `_v`.`unemployment_in_month`,
    `_v`.`pension_type`,
    `_v`.`period_end`,
    `_v`.`prison_terms`,
    `_v`.`while_pension`,
    COALESCE(CAST(`_c_payment__a_spells_in_month`.`value` AS BIGINT), CAST(0 AS BIGINT)) AS `spells_in_month`,
    CAST(CASE
      WHEN `_v`.`pension_type`
      THEN `_v`.`pensions_in_month`
      ELSE `_v`.`unemployment_in_month`
    END AS BIGINT) AS `same_kind_in_month`,
    COALESCE(CAST(`_c_payment__a_ranked_before`.`value` AS BIGINT), CAST(0 AS BIGINT)) AS `ranked_before`,
    CAST(`_v`.`pension_type` AND `_v`.`period` > `_v`.`payee_death_date` AS BOOLEAN) AS `after_death`,
    CAST(`_v`.`prison_terms` > 0 AS BOOLEAN) AS `in_prison`
  FROM `_c_payment__l1` AS `_v`
  LEFT JOIN `_c_payment__a_spells_in_month`
    ON `_c_payment__a_spells_in_month`.`scenario` = `_v`.`scenario`
    AND `_c_payment__a_spells_in_month`.`_g1` IS NOT DISTINCT FROM `_v`.`person_id`
    AND `_c_payment__a_spells_in_month`.`_g2` IS NOT DISTINCT FROM `_v`.`period_end`
    AND `_c_payment__a_spells_in_month`.`_g3` IS NOT DISTINCT FROM `_v`.`period`
  LEFT JOIN `_c_payment__a_ranked_before`
    ON `_c_payment__a_ranked_before`.`scenario` = `_v`.`scenario`
    AND `_c_payment__a_ranked_before`.`entity_id` = `_v`.`entity_id`
), `_c_payment__l3` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`entity_id`,
    `_v`.`region`,
    `_v`.`retirement_age_men`,
    `_v`.`retirement_age_women`,
    `_v`.`back_payment_window_days`,
    `_v`.`min_back_paid_months`,
    `_v`.`person_id`,
    `_v`.`award_id`,
    `_v`.`benefit`,
    `_v`.`period`,
    `_v`.`paid`,
    `_v`.`payee_death_date`,
    `_v`.`pensions_in_month`,
    `_v`.`unemployment_in_month`,
    `_v`.`pension_type`,
    `_v`.`period_end`,
    `_v`.`prison_terms`,
    `_v`.`while_pension`,
    `_v`.`spells_in_month`,
    `_v`.`same_kind_in_month`,
    `_v`.`ranked_before`,
    `_v`.`after_death`,
    `_v`.`in_prison`,
    CAST(`_v`.`benefit` = 'unemployment' AND `_v`.`spells_in_month` > 0 AS BOOLEAN) AS `while_employed`,
    CAST(`_v`.`same_kind_in_month` > 1 AS BOOLEAN) AS `duplicate`,
    CAST(`_v`.`same_kind_in_month` > 1 AND `_v`.`ranked_before` > 0 AS BOOLEAN) AS `refundable`
  FROM `_c_payment__l2` AS `_v`
), `_a_death_date` AS (
  SELECT
    `_t`.`person_id` AS `entity_id`,
    MAX(`_t`.`death_date`) AS `value`
  FROM `deaths` AS `_t`
  WHERE
    `_t`.`person_id` IN (:entity_id)
  GROUP BY
    `_t`.`person_id`
), `_a_in_prison_at_as_of` AS (
  SELECT
    `_t`.`person_id` AS `entity_id`,
    COUNT(*) > 0 AS `value`
  FROM `incarcerations` AS `_t`
  WHERE
    (
      `_t`.`start_date` <= CAST('2025-06-30' AS DATE)
      AND (
        `_t`.`end_date` IS NULL OR `_t`.`end_date` >= CAST('2025-06-30' AS DATE)
      )
    )
    AND `_t`.`person_id` IN (:entity_id)
  GROUP BY
    `_t`.`person_id`
), `_a_running_awards` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    COUNT(*) AS `value`
  FROM `_c_award__l2` AS `_t`
  WHERE
    `_t`.`running_at_as_of`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_a_payments_after_death` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    COUNT(*) AS `value`
  FROM `_c_payment__l3` AS `_t`
  WHERE
    `_t`.`after_death`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_a_paid_after_death` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    SUM(`_t`.`paid`) AS `value`
  FROM `_c_payment__l3` AS `_t`
  WHERE
    `_t`.`after_death`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_a_first_period_after_death` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    MIN(`_t`.`period`) AS `value`
  FROM `_c_payment__l3` AS `_t`
  WHERE
    `_t`.`after_death`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_a_payments_in_prison` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    COUNT(*) AS `value`
  FROM `_c_payment__l3` AS `_t`
  WHERE
    `_t`.`in_prison`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_a_paid_in_prison` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    SUM(`_t`.`paid`) AS `value`
  FROM `_c_payment__l3` AS `_t`
  WHERE
    `_t`.`in_prison`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_a_payments_while_employed` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    COUNT(*) AS `value`
  FROM `_c_payment__l3` AS `_t`
  WHERE
    `_t`.`while_employed`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_a_paid_while_employed` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    SUM(`_t`.`paid`) AS `value`
  FROM `_c_payment__l3` AS `_t`
  WHERE
    `_t`.`while_employed`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_a_payments_while_pension` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    COUNT(*) AS `value`
  FROM `_c_payment__l3` AS `_t`
  WHERE
    `_t`.`while_pension`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_a_paid_while_pension` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    SUM(`_t`.`paid`) AS `value`
  FROM `_c_payment__l3` AS `_t`
  WHERE
    `_t`.`while_pension`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_a_duplicate_payments` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    COUNT(*) AS `value`
  FROM `_c_payment__l3` AS `_t`
  WHERE
    `_t`.`duplicate`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_a_duplicate_refund` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    SUM(`_t`.`paid`) AS `value`
  FROM `_c_payment__l3` AS `_t`
  WHERE
    `_t`.`refundable`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_a_early_awards` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    COUNT(*) AS `value`
  FROM `_c_award__l2` AS `_t`
  WHERE
    `_t`.`early_without_basis`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_a_paid_before_statutory_age` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    SUM(`_t`.`paid_before_birthday`) AS `value`
  FROM `_c_award__l2` AS `_t`
  WHERE
    `_t`.`early_without_basis`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_a_bunched_awards` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    COUNT(*) AS `value`
  FROM `_c_award__l2` AS `_t`
  WHERE
    `_t`.`bunched_back_payment`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_a_most_back_paid_months` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    MAX(`_t`.`back_paid_months`) AS `value`
  FROM `_c_award__l2` AS `_t`
  WHERE
    `_t`.`bunched_back_payment`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_a_paid_under_bunched_awards` AS (
  SELECT
    `_t`.`scenario`,
    `_t`.`person_id` AS `entity_id`,
    SUM(`_t`.`paid_under_award`) AS `value`
  FROM `_c_award__l2` AS `_t`
  WHERE
    `_t`.`bunched_back_payment`
  GROUP BY
    `_t`.`scenario`,
    `_t`.`person_id`
), `_l0` AS (
  SELECT
    `_p`.`scenario`,
    `_e`.`person_id` AS `entity_id`,
    `_e`.`hukou_region` AS `region`,
    `_p`.`retirement_age_men` AS `retirement_age_men`,
    `_p`.`retirement_age_women` AS `retirement_age_women`,
    `_p`.`back_payment_window_days` AS `back_payment_window_days`,
    `_p`.`min_back_paid_months` AS `min_back_paid_months`,
    CAST(`_a_death_date`.`value` AS DATE) AS `death_date`,
    COALESCE(CAST(`_a_in_prison_at_as_of`.`value` AS BOOLEAN), FALSE) AS `in_prison_at_as_of`,
    COALESCE(CAST(`_a_running_awards`.`value` AS BIGINT), CAST(0 AS BIGINT)) AS `running_awards`,
    COALESCE(CAST(`_a_payments_after_death`.`value` AS BIGINT), CAST(0 AS BIGINT)) AS `payments_after_death`,
    COALESCE(CAST(`_a_paid_after_death`.`value` AS DECIMAL(38, 2)), CAST('0' AS DECIMAL(38, 2))) AS `paid_after_death`,
    CAST(`_a_first_period_after_death`.`value` AS DATE) AS `first_period_after_death`,
    COALESCE(CAST(`_a_payments_in_prison`.`value` AS BIGINT), CAST(0 AS BIGINT)) AS `payments_in_prison`,
    COALESCE(CAST(`_a_paid_in_prison`.`value` AS DECIMAL(38, 2)), CAST('0' AS DECIMAL(38, 2))) AS `paid_in_prison`,
    COALESCE(CAST(`_a_payments_while_employed`.`value` AS BIGINT), CAST(0 AS BIGINT)) AS `payments_while_employed`,
    COALESCE(
      CAST(`_a_paid_while_employed`.`value` AS DECIMAL(38, 2)),
      CAST('0' AS DECIMAL(38, 2))
    ) AS `paid_while_employed`,
    COALESCE(CAST(`_a_payments_while_pension`.`value` AS BIGINT), CAST(0 AS BIGINT)) AS `payments_while_pension`,
    COALESCE(
      CAST(`_a_paid_while_pension`.`value` AS DECIMAL(38, 2)),
      CAST('0' AS DECIMAL(38, 2))
    ) AS `paid_while_pension`,
    COALESCE(CAST(`_a_duplicate_payments`.`value` AS BIGINT), CAST(0 AS BIGINT)) AS `duplicate_payments`,
    COALESCE(CAST(`_a_duplicate_refund`.`value` AS DECIMAL(38, 2)), CAST('0' AS DECIMAL(38, 2))) AS `duplicate_refund`,
    COALESCE(CAST(`_a_early_awards`.`value` AS BIGINT), CAST(0 AS BIGINT)) AS `early_awards`,
    COALESCE(
      CAST(`_a_paid_before_statutory_age`.`value` AS DECIMAL(38, 2)),
      CAST('0' AS DECIMAL(38, 2))
    ) AS `paid_before_statutory_age`,
    COALESCE(CAST(`_a_bunched_awards`.`value` AS BIGINT), CAST(0 AS BIGINT)) AS `bunched_awards`,
    CAST(`_a_most_back_paid_months`.`value` AS BIGINT) AS `most_back_paid_months`,
    COALESCE(
      CAST(`_a_paid_under_bunched_awards`.`value` AS DECIMAL(38, 2)),
      CAST('0' AS DECIMAL(38, 2))
    ) AS `paid_under_bunched_awards`
  FROM `persons` AS `_e`
  CROSS JOIN `_params` AS `_p`
  LEFT JOIN `_a_death_date`
    ON `_a_death_date`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_in_prison_at_as_of`
    ON `_a_in_prison_at_as_of`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_running_awards`
    ON `_a_running_awards`.`scenario` = `_p`.`scenario`
    AND `_a_running_awards`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_payments_after_death`
    ON `_a_payments_after_death`.`scenario` = `_p`.`scenario`
    AND `_a_payments_after_death`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_paid_after_death`
    ON `_a_paid_after_death`.`scenario` = `_p`.`scenario`
    AND `_a_paid_after_death`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_first_period_after_death`
    ON `_a_first_period_after_death`.`scenario` = `_p`.`scenario`
    AND `_a_first_period_after_death`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_payments_in_prison`
    ON `_a_payments_in_prison`.`scenario` = `_p`.`scenario`
    AND `_a_payments_in_prison`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_paid_in_prison`
    ON `_a_paid_in_prison`.`scenario` = `_p`.`scenario`
    AND `_a_paid_in_prison`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_payments_while_employed`
    ON `_a_payments_while_employed`.`scenario` = `_p`.`scenario`
    AND `_a_payments_while_employed`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_paid_while_employed`
    ON `_a_paid_while_employed`.`scenario` = `_p`.`scenario`
    AND `_a_paid_while_employed`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_payments_while_pension`
    ON `_a_payments_while_pension`.`scenario` = `_p`.`scenario`
    AND `_a_payments_while_pension`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_paid_while_pension`
    ON `_a_paid_while_pension`.`scenario` = `_p`.`scenario`
    AND `_a_paid_while_pension`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_duplicate_payments`
    ON `_a_duplicate_payments`.`scenario` = `_p`.`scenario`
    AND `_a_duplicate_payments`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_duplicate_refund`
    ON `_a_duplicate_refund`.`scenario` = `_p`.`scenario`
    AND `_a_duplicate_refund`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_early_awards`
    ON `_a_early_awards`.`scenario` = `_p`.`scenario`
    AND `_a_early_awards`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_paid_before_statutory_age`
    ON `_a_paid_before_statutory_age`.`scenario` = `_p`.`scenario`
    AND `_a_paid_before_statutory_age`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_bunched_awards`
    ON `_a_bunched_awards`.`scenario` = `_p`.`scenario`
    AND `_a_bunched_awards`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_most_back_paid_months`
    ON `_a_most_back_paid_months`.`scenario` = `_p`.`scenario`
    AND `_a_most_back_paid_months`.`entity_id` = `_e`.`person_id`
  LEFT JOIN `_a_paid_under_bunched_awards`
    ON `_a_paid_under_bunched_awards`.`scenario` = `_p`.`scenario`
    AND `_a_paid_under_bunched_awards`.`entity_id` = `_e`.`person_id`
  WHERE
    `_e`.`person_id` IN (:entity_id)
), `_r` AS (
  SELECT
    `_v`.`scenario`,
    `_v`.`entity_id`,
    `_v`.`region`,
    `_v`.`retirement_age_men`,
    `_v`.`retirement_age_women`,
    `_v`.`back_payment_window_days`,
    `_v`.`min_back_paid_months`,
    `_v`.`death_date`,
    `_v`.`in_prison_at_as_of`,
    `_v`.`running_awards`,
    `_v`.`payments_after_death`,
    `_v`.`paid_after_death`,
    `_v`.`first_period_after_death`,
    `_v`.`payments_in_prison`,
    `_v`.`paid_in_prison`,
    `_v`.`payments_while_employed`,
    `_v`.`paid_while_employed`,
    `_v`.`payments_while_pension`,
    `_v`.`paid_while_pension`,
    `_v`.`duplicate_payments`,
    `_v`.`duplicate_refund`,
    `_v`.`early_awards`,
    `_v`.`paid_before_statutory_age`,
    `_v`.`bunched_awards`,
    `_v`.`most_back_paid_months`,
    `_v`.`paid_under_bunched_awards`,
    `_v`.`early_awards` > 0 AS `early_pension_without_basis__c1`,
    `_v`.`death_date` <= CAST('2025-06-30' AS DATE) AS `award_running_after_death__c1`,
    `_v`.`running_awards` > 0 AS `award_running_after_death__c2`,
    `_v`.`in_prison_at_as_of` AS `award_running_in_prison__c1`,
    `_v`.`running_awards` > 0 AS `award_running_in_prison__c2`,
    `_v`.`payments_while_employed` > 0 AS `unemployment_benefit_while_employed__c1`,
    `_v`.`payments_while_pension` > 0 AS `unemployment_benefit_while_pension__c1`,
    `_v`.`duplicate_payments` > 0 AS `double_receipt__c1`,
    `_v`.`payments_after_death` > 0 AS `pension_after_death__c1`,
    `_v`.`payments_in_prison` > 0 AS `benefit_during_incarceration__c1`,
    `_v`.`bunched_awards` > 0 AS `abnormal_back_payment__c1`
  FROM `_l0` AS `_v`
)
SELECT
  `_v`.`scenario`,
  `_v`.`entity_id`,
  `_v`.`region`,
  `_v`.`death_date`,
  `_v`.`in_prison_at_as_of`,
  `_v`.`running_awards`,
  `_v`.`payments_after_death`,
  `_v`.`paid_after_death`,
  `_v`.`first_period_after_death`,
  `_v`.`payments_in_prison`,
  `_v`.`paid_in_prison`,
  `_v`.`payments_while_employed`,
  `_v`.`paid_while_employed`,
  `_v`.`payments_while_pension`,
  `_v`.`paid_while_pension`,
  `_v`.`duplicate_payments`,
  `_v`.`duplicate_refund`,
  `_v`.`early_awards`,
  `_v`.`paid_before_statutory_age`,
  `_v`.`bunched_awards`,
  `_v`.`most_back_paid_months`,
  `_v`.`paid_under_bunched_awards`,
  COALESCE(`_v`.`early_pension_without_basis__c1`, FALSE) AS `early_pension_without_basis__hit`,
  CASE
    WHEN COALESCE(`_v`.`early_pension_without_basis__c1`, FALSE)
    THEN CAST(`_v`.`paid_before_statutory_age` AS DECIMAL(38, 2))
  END AS `early_pension_without_basis__amount`,
  `_v`.`early_pension_without_basis__c1`,
  COALESCE(
    `_v`.`award_running_after_death__c1` AND `_v`.`award_running_after_death__c2`,
    FALSE
  ) AS `award_running_after_death__hit`,
  CASE
    WHEN COALESCE(
      `_v`.`award_running_after_death__c1` AND `_v`.`award_running_after_death__c2`,
      FALSE
    )
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS `award_running_after_death__amount`,
  `_v`.`award_running_after_death__c1`,
  `_v`.`award_running_after_death__c2`,
  COALESCE(`_v`.`award_running_in_prison__c1` AND `_v`.`award_running_in_prison__c2`, FALSE) AS `award_running_in_prison__hit`,
  CASE
    WHEN COALESCE(`_v`.`award_running_in_prison__c1` AND `_v`.`award_running_in_prison__c2`, FALSE)
    THEN CAST(NULL AS DECIMAL(38, 2))
  END AS `award_running_in_prison__amount`,
  `_v`.`award_running_in_prison__c1`,
  `_v`.`award_running_in_prison__c2`,
  COALESCE(`_v`.`unemployment_benefit_while_employed__c1`, FALSE) AS `unemployment_benefit_while_employed__hit`,
  CASE
    WHEN COALESCE(`_v`.`unemployment_benefit_while_employed__c1`, FALSE)
    THEN CAST(`_v`.`paid_while_employed` AS DECIMAL(38, 2))
  END AS `unemployment_benefit_while_employed__amount`,
  `_v`.`unemployment_benefit_while_employed__c1`,
  COALESCE(`_v`.`unemployment_benefit_while_pension__c1`, FALSE) AS `unemployment_benefit_while_pension__hit`,
  CASE
    WHEN COALESCE(`_v`.`unemployment_benefit_while_pension__c1`, FALSE)
    THEN CAST(`_v`.`paid_while_pension` AS DECIMAL(38, 2))
  END AS `unemployment_benefit_while_pension__amount`,
  `_v`.`unemployment_benefit_while_pension__c1`,
  COALESCE(`_v`.`double_receipt__c1`, FALSE) AS `double_receipt__hit`,
  CASE
    WHEN COALESCE(`_v`.`double_receipt__c1`, FALSE)
    THEN CAST(`_v`.`duplicate_refund` AS DECIMAL(38, 2))
  END AS `double_receipt__amount`,
  `_v`.`double_receipt__c1`,
  COALESCE(`_v`.`pension_after_death__c1`, FALSE) AS `pension_after_death__hit`,
  CASE
    WHEN COALESCE(`_v`.`pension_after_death__c1`, FALSE)
    THEN CAST(`_v`.`paid_after_death` AS DECIMAL(38, 2))
  END AS `pension_after_death__amount`,
  `_v`.`pension_after_death__c1`,
  COALESCE(`_v`.`benefit_during_incarceration__c1`, FALSE) AS `benefit_during_incarceration__hit`,
  CASE
    WHEN COALESCE(`_v`.`benefit_during_incarceration__c1`, FALSE)
    THEN CAST(`_v`.`paid_in_prison` AS DECIMAL(38, 2))
  END AS `benefit_during_incarceration__amount`,
  `_v`.`benefit_during_incarceration__c1`,
  COALESCE(`_v`.`abnormal_back_payment__c1`, FALSE) AS `abnormal_back_payment__hit`,
  CASE
    WHEN COALESCE(`_v`.`abnormal_back_payment__c1`, FALSE)
    THEN CAST(`_v`.`paid_under_bunched_awards` AS DECIMAL(38, 2))
  END AS `abnormal_back_payment__amount`,
  `_v`.`abnormal_back_payment__c1`
FROM `_r` AS `_v`
