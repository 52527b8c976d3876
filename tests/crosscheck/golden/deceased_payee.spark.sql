-- 死亡后仍领取（deceased_payee，第 2 版），Spark SQL 方言
-- 读取引擎准备的视图：pay、deaths（每行带 person_key 和 tier_rank）
-- 参数 :grace_days：死亡后宽限天数（天），默认 0（运行时另行传入，不写进语句）

-- 规则查询：每行一个疑点
SELECT p.rid, r.rid AS reg_rid, CAST(NULL AS STRING) AS group_key,
    greatest(p.tier_rank, r.tier_rank) AS tier_rank,
    '死亡人员名单 ' || r.file || CASE WHEN coalesce(r.sheet, '') <> '' THEN '「' || r.sheet || '」' ELSE '' END || ' 第' || CAST(r.row_no AS STRING) || '行' || '：死亡日期 ' || CAST(r.death_date AS STRING) ||
    CASE WHEN p.pay_date IS NOT NULL THEN '；发放日期 ' || CAST(p.pay_date AS STRING) ||
              '，死亡后第 ' || CAST(datediff(p.pay_date, r.death_date) AS STRING) || ' 天'
         ELSE '；发放年度 ' || CAST(p.pay_year AS STRING) || ' 年，在死亡年度之后' END AS evidence
FROM pay p JOIN (
    SELECT *, row_number() OVER (PARTITION BY person_key ORDER BY death_date, rid) AS k
    FROM deaths WHERE death_date IS NOT NULL) r
  ON r.person_key = p.person_key AND r.k = 1
WHERE (p.amount IS NULL OR p.amount > 0) AND (
    (p.pay_date IS NOT NULL AND p.pay_date > date_add(r.death_date, CAST(:grace_days AS INT)))
    OR (p.pay_date IS NULL AND p.pay_year > year(r.death_date)));
