-- 身份证号码无效（farmland_invalid_id，第 1 版），Spark SQL 方言
-- 读取引擎准备的视图：farmland_payments（每行带 person_key 和 tier_rank）

-- 规则查询：每行一个疑点
SELECT rid, CAST(NULL AS BIGINT) AS reg_rid, CAST(NULL AS STRING) AS group_key, tier_rank,
    id_problem || CASE WHEN tier_rank IS NOT NULL
        THEN '；已按姓名唯一匹配到号码 ' || left(person_id18, 3) || '***********' || right(person_id18, 4)
        ELSE '' END AS evidence
FROM farmland_payments WHERE id_status IN ('damaged', 'invalid', 'missing');
