-- 补贴面积超过承包面积（area_over_contract，第 1 版），DuckDB 方言
-- 读取引擎准备的视图：farmland_payments、contracts（每行带 person_key 和 tier_rank）
-- 参数 $area_margin：面积容差（亩），默认 0.01（运行时另行传入，不写进语句）

-- 规则查询：每行一个疑点
WITH f AS (
    SELECT * FROM farmland_payments t
    WHERE person_key < 100000000000000000 AND pay_year IS NOT NULL AND area IS NOT NULL),
parcel AS (
    SELECT person_key, max(area) AS area, min(rid) AS rid, max(tier_rank) AS tier_rank
    FROM contracts WHERE area IS NOT NULL
    GROUP BY person_key, coalesce(land_id, CAST(rid AS STRING))),
c AS (
    SELECT person_key, sum(area) AS contracted, count(*) AS parcels, min(rid) AS first_rid,
        max(tier_rank) AS tier_rank
    FROM parcel GROUP BY person_key),
g AS (
    SELECT f.person_key, f.pay_year, sum(CASE WHEN (f.amount IS NULL OR f.amount > 0) THEN f.area WHEN f.amount < 0 THEN -f.area ELSE 0 END) AS subsidised, max(f.tier_rank) AS tier_rank
    FROM f GROUP BY f.person_key, f.pay_year),
h AS (
    SELECT g.person_key, g.pay_year, g.subsidised, c.contracted, c.parcels, c.first_rid,
        greatest(g.tier_rank, c.tier_rank) AS tier_rank,
        row_number() OVER (ORDER BY g.person_key, g.pay_year) AS group_no
    FROM g JOIN c ON c.person_key = g.person_key
    WHERE g.subsidised > c.contracted + $area_margin)
SELECT f.rid, h.first_rid AS reg_rid, 'A' || CAST(h.group_no AS STRING) AS group_key,
    h.tier_rank, '确权登记 ' || r.file || CASE WHEN coalesce(r.sheet, '') <> '' THEN '「' || r.sheet || '」' ELSE '' END || ' 第' || CAST(r.row_no AS STRING) || '行' || ' 等共 ' || CAST(h.parcels AS STRING) ||
    ' 块承包地，确权面积合计 ' || CAST(h.contracted AS STRING) || ' 亩；' ||
    CAST(h.pay_year AS STRING) || ' 年补贴面积合计 ' || CAST(h.subsidised AS STRING) ||
    ' 亩，超出 ' || CAST(h.subsidised - h.contracted AS STRING) || ' 亩（容差 ' ||
    CAST($area_margin AS STRING) || ' 亩）；同组编号 A' || CAST(h.group_no AS STRING) AS evidence
FROM f JOIN h ON h.person_key = f.person_key AND h.pay_year = f.pay_year
JOIN contracts r ON r.rid = h.first_rid
WHERE (f.amount IS NULL OR f.amount <> 0);
