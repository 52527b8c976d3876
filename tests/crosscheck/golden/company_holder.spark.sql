-- 企业法定代表人或股东领取（company_holder，第 1 版），Spark SQL 方言
-- 读取引擎准备的视图：pay、companies（每行带 person_key 和 tier_rank）

-- 规则查询：每行一个疑点
SELECT rid, reg_rid, group_key, tier_rank, evidence FROM (
  SELECT p.rid, r.rid AS reg_rid, CAST(NULL AS STRING) AS group_key,
    greatest(p.tier_rank, r.tier_rank) AS tier_rank,
    '市场主体登记信息 ' || r.file || CASE WHEN coalesce(r.sheet, '') <> '' THEN '「' || r.sheet || '」' ELSE '' END || ' 第' || CAST(r.row_no AS STRING) || '行' || '：' || coalesce(r.company, '（企业名称未填）') ||
    '，' || coalesce(nullif(trim(r.position), ''), '法定代表人或股东') || '，' ||
    '登记日期 ' || coalesce(CAST(r.register_date AS STRING), '（未填）') ||
    CASE WHEN r.cancel_date IS NULL THEN '，未注销'
         ELSE '，注销日期 ' || CAST(r.cancel_date AS STRING) END ||
    '；发放' || CASE WHEN p.pay_date IS NOT NULL THEN '日期 ' || CAST(p.pay_date AS STRING)
                     ELSE '年度 ' || CAST(p.pay_year AS STRING) || ' 年（全年）' END || ' 时仍在册' AS evidence,
    row_number() OVER (PARTITION BY p.rid ORDER BY r.register_date NULLS LAST, r.rid) AS k
  FROM pay p JOIN companies r ON r.person_key = p.person_key
  WHERE (p.amount IS NULL OR p.amount > 0) AND (coalesce(trim(r.position), '') = '' OR r.position LIKE '%法定代表人%' OR r.position LIKE '%法人%' OR r.position LIKE '%股东%' OR r.position LIKE '%投资人%' OR r.position LIKE '%出资人%' OR r.position LIKE '%经营者%') AND NOT r.date_unread AND ((p.pay_date IS NOT NULL
        AND (r.register_date IS NULL OR r.register_date <= p.pay_date)
        AND (r.cancel_date IS NULL OR r.cancel_date >= p.pay_date))
    OR (p.pay_date IS NULL AND p.pay_year IS NOT NULL
        AND (r.register_date IS NULL OR r.register_date <= try_to_date(concat_ws('-', p.pay_year, 1, 1), 'y-M-d'))
        AND (r.cancel_date IS NULL OR r.cancel_date >= try_to_date(concat_ws('-', p.pay_year, 12, 31), 'y-M-d'))))) t
WHERE k = 1;
