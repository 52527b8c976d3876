-- 财政供养人员领取（payroll_payee，第 2 版），DuckDB 方言
-- 读取引擎准备的视图：pay、payroll（每行带 person_key 和 tier_rank）

-- 规则查询：每行一个疑点
SELECT rid, reg_rid, group_key, tier_rank, evidence FROM (
  SELECT p.rid, r.rid AS reg_rid, CAST(NULL AS STRING) AS group_key,
    greatest(p.tier_rank, r.tier_rank) AS tier_rank,
    '财政供养人员名单 ' || r.file || CASE WHEN coalesce(r.sheet, '') <> '' THEN '「' || r.sheet || '」' ELSE '' END || ' 第' || CAST(r.row_no AS STRING) || '行' || '：' || coalesce(r.employer || '，', '') ||
    '入职 ' || coalesce(CAST(r.start_date AS STRING), '（未填）') || '，' ||
    CASE WHEN r.end_date IS NULL THEN '仍在职' ELSE '离职 ' || CAST(r.end_date AS STRING) END ||
    '；发放' || CASE WHEN p.pay_date IS NOT NULL THEN '日期 ' || CAST(p.pay_date AS STRING)
                     ELSE '年度 ' || CAST(p.pay_year AS STRING) END || ' 在职期间' AS evidence,
    row_number() OVER (PARTITION BY p.rid ORDER BY r.start_date NULLS LAST, r.rid) AS k
  FROM pay p JOIN payroll r ON r.person_key = p.person_key
  WHERE (p.amount IS NULL OR p.amount > 0) AND NOT r.date_unread AND ((p.pay_date IS NOT NULL
        AND (r.start_date IS NULL OR r.start_date <= p.pay_date)
        AND (r.end_date IS NULL OR p.pay_date <= r.end_date))
    OR (p.pay_date IS NULL AND p.pay_year IS NOT NULL
        AND (r.start_date IS NULL OR r.start_date <= CAST(try_strptime(p.pay_year || '-' || 1 || '-' || 1, '%Y-%m-%d') AS DATE))
        AND (r.end_date IS NULL OR r.end_date >= CAST(try_strptime(p.pay_year || '-' || 12 || '-' || 31, '%Y-%m-%d') AS DATE))))) t
WHERE k = 1;
