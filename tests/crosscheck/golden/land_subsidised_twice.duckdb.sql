-- 同一地块重复补贴（land_subsidised_twice，第 1 版），DuckDB 方言
-- 读取引擎准备的视图：farmland_payments（每行带 person_key 和 tier_rank）

-- 规则查询：每行一个疑点
WITH f AS (
    SELECT * FROM farmland_payments t WHERE land_id IS NOT NULL AND pay_year IS NOT NULL),
g AS (
    SELECT *, row_number() OVER (ORDER BY land_id, pay_year) AS group_no FROM (
        SELECT land_id, pay_year, sum(CASE WHEN (f.amount IS NULL OR f.amount > 0) THEN 1 WHEN f.amount < 0 THEN -1 ELSE 0 END) AS n,
            count(DISTINCT person_key) AS people,
            sum(CASE WHEN person_key IS NULL THEN 1 ELSE 0 END) AS unknown,
            sum(CASE WHEN (f.amount IS NULL OR f.amount > 0) THEN area END) AS area
        FROM f GROUP BY land_id, pay_year) t
    WHERE n > 1)
SELECT f.rid, CAST(NULL AS BIGINT) AS reg_rid, 'L' || CAST(g.group_no AS STRING) AS group_key,
    0 AS tier_rank, '地块 ' || g.land_id || ' 在 ' || CAST(g.pay_year AS STRING) || ' 年被补贴 ' ||
    CAST(g.n AS STRING) || ' 次（' ||
    CASE WHEN g.people > 1 THEN '发给 ' || CAST(g.people AS STRING) || ' 个不同的人'
         WHEN g.unknown > 0 THEN '其中有身份证号码无法识别的行'
         ELSE '都发给同一人' END ||
    '），补贴面积合计 ' || coalesce(CAST(g.area AS STRING), '?') || ' 亩；同组编号 L' ||
    CAST(g.group_no AS STRING) AS evidence
FROM f JOIN g ON g.land_id = f.land_id AND g.pay_year = f.pay_year
WHERE (f.amount IS NULL OR f.amount <> 0);
