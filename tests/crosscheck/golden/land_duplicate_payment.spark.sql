-- 征地补偿款重复发放（land_duplicate_payment，第 1 版），Spark SQL 方言
-- 读取引擎准备的视图：land_payments（每行带 person_key 和 tier_rank）

-- 规则查询：每行一个疑点
SELECT l.rid, CAST(NULL AS BIGINT) AS reg_rid, 'L' || CAST(g.group_no AS STRING) AS group_key,
    0 AS tier_rank,
    '地块 ' || l.land_id || ' 的' || g.kind || '共发放 ' || CAST(g.n AS STRING) || ' 次，合计 ' ||
    coalesce(CAST(g.total AS STRING), '?') || ' 元；本行 ' || l.file || CASE WHEN coalesce(l.sheet, '') <> '' THEN '「' || l.sheet || '」' ELSE '' END || ' 第' || CAST(l.row_no AS STRING) || '行' || ' 发放 ' ||
    coalesce(CAST(l.amount AS STRING), '?') || ' 元；同组编号 L' || CAST(g.group_no AS STRING)
        AS evidence
FROM land_payments l JOIN (
    SELECT land_id, kind, n, total, row_number() OVER (ORDER BY land_id, kind) AS group_no
    FROM (SELECT land_id, coalesce(l.fee_kind, '') AS kind, count(*) AS n, sum(amount) AS total
          FROM land_payments l WHERE land_id IS NOT NULL AND (l.amount IS NULL OR l.amount > 0)
          GROUP BY land_id, coalesce(l.fee_kind, '')) t
    WHERE n > 1 AND kind <> '') g
  ON g.land_id = l.land_id AND g.kind = coalesce(l.fee_kind, '')
WHERE (l.amount IS NULL OR l.amount > 0);
