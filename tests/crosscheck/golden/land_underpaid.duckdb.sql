-- 征地补偿款少发（land_underpaid，第 1 版），DuckDB 方言
-- 读取引擎准备的视图：land_payments、parcels（每行带 person_key 和 tier_rank）
-- 参数 $land_tolerance：征地补偿核对容差（元），默认 1（运行时另行传入，不写进语句）

-- 共享表 land_parcel：每次运行只建一次，读它的规则共用
CREATE OR REPLACE TABLE land_parcel AS
WITH paid AS (
    SELECT land_id, sum(amount) AS paid,
        sum(CASE WHEN coalesce(l.fee_kind, '') = '土地补偿费' THEN amount ELSE 0 END) AS land_paid,
        max(pay_date) AS last_date, count(*) AS n,
        max(CASE WHEN amount_unread THEN 1 ELSE 0 END) AS unread
    FROM land_payments l WHERE land_id IS NOT NULL AND (l.amount IS NULL OR l.amount > 0) GROUP BY land_id),
first AS (
    SELECT p.*, replace(replace(coalesce(p.county, ''), ' ', ''), '　', '') AS county_key, replace(replace(replace(coalesce(p.land_class, ''), ' ', ''), '　', ''), '其它', '其他') AS class_key,
        coalesce(p.announce_date, g.last_date, DATE '9999-12-31') AS ref_date,
        coalesce(g.paid, 0) AS paid, coalesce(g.land_paid, 0) AS land_paid,
        coalesce(g.n, 0) AS n_paid, coalesce(g.unread, 0) AS unread, g.last_date
    FROM parcels p
    JOIN (SELECT min(rid) AS rid FROM parcels WHERE land_id IS NOT NULL GROUP BY land_id) m
      ON m.rid = p.rid
    LEFT JOIN paid g ON g.land_id = p.land_id),
in_force AS (
    SELECT f.rid, max(v.effective) AS effective
    FROM first f JOIN std_version v ON v.effective <= f.ref_date GROUP BY f.rid),
versioned AS (
    SELECT f.*, i.effective FROM first f LEFT JOIN in_force i ON i.rid = f.rid),
counties AS (SELECT DISTINCT effective, county FROM std_zone),
priced AS (
    SELECT f.*, v.name AS std_name, v.land_share, z.price, cz.county AS county_known,
        c.coefficient AS class_coef, b.coefficient AS basic_coef, r.coefficient AS restored_coef
    FROM versioned f
    LEFT JOIN std_version v ON v.effective = f.effective
    LEFT JOIN counties cz ON cz.effective = f.effective AND cz.county = f.county_key
    LEFT JOIN std_zone z ON z.effective = f.effective AND z.county = f.county_key
        AND z.zone = f.zone
    LEFT JOIN std_class c ON c.effective = f.effective AND c.land_class = f.class_key
    LEFT JOIN std_special b ON b.effective = f.effective AND b.kind = '永久基本农田'
    LEFT JOIN std_special r ON r.effective = f.effective AND r.kind = '恢复属性'),
parcel AS (
    SELECT f.*, CASE
        WHEN f.effective IS NULL THEN
            CASE WHEN f.announce_date IS NOT NULL
                 THEN '征收土地公告日期 ' || CAST(f.announce_date AS STRING)
                 ELSE '最后发放日期 ' || CAST(f.ref_date AS STRING) END || ' 时没有施行中的标准'
        WHEN f.class_key NOT IN ('水田', '旱地', '园地', '林地', '其他农用地', '未利用地') THEN
            '地类「' || coalesce(f.land_class, '') || '」不是水田、旱地、园地、林地、其他农用地、未利用地之一'
        WHEN f.area IS NULL OR f.area <= 0 THEN
            '面积「' || coalesce(CAST(f.area AS STRING), '') || '」不是正数（亩）'
        WHEN f.basic_farmland_unread THEN '是否永久基本农田无法识别'
        WHEN f.restored_unread THEN '是否恢复属性无法识别'
        WHEN f.price IS NULL AND f.county_known IS NULL THEN
            '县市区「' || coalesce(f.county, '') || '」不在' || f.std_name || '（' ||
            CAST(f.effective AS STRING) || ' 施行）的区片价表中（请导入完整的区片综合地价表）'
        WHEN f.price IS NULL THEN
            '县市区「' || f.county || '」没有区片「' || coalesce(f.zone, '') || '」'
        WHEN f.class_coef IS NULL THEN
            '地类「' || f.land_class || '」没有系数（' || f.std_name || '未含该地类系数，请导入地类系数表）'
        WHEN coalesce(f.basic_farmland, false) AND f.basic_coef IS NULL THEN
            f.std_name || '没有「永久基本农田」系数'
        WHEN coalesce(f.restored, false) AND f.restored_coef IS NULL THEN
            f.std_name || '没有「恢复属性」系数'
        WHEN f.unread = 1 THEN '发放表中该地块有金额无法识别的行'
        END AS problem,
        greatest(f.class_coef,
                 CASE WHEN coalesce(f.basic_farmland, false) THEN f.basic_coef ELSE f.class_coef END,
                 CASE WHEN coalesce(f.restored, false) THEN f.restored_coef ELSE f.class_coef END)
            AS coef
    FROM priced f)
SELECT f.*, CASE WHEN f.problem IS NULL
    THEN round(CAST(f.area AS DECIMAL(12, 2)) * CAST(f.price AS DECIMAL(12, 2))
               * CAST(f.coef AS DECIMAL(6, 4)), 2) END AS due
FROM parcel f;

-- 规则查询：每行一个疑点
SELECT f.rid, CAST(NULL AS BIGINT) AS reg_rid, CAST(NULL AS STRING) AS group_key, 0 AS tier_rank,
    '征收地块清单 ' || f.file || CASE WHEN coalesce(f.sheet, '') <> '' THEN '「' || f.sheet || '」' ELSE '' END || ' 第' || CAST(f.row_no AS STRING) || '行' || '：地块 ' || f.land_id || ' 应发 ' || CAST(f.due AS STRING) ||
    ' 元，实发 ' || CAST(f.paid AS STRING) || ' 元（' || CAST(f.n_paid AS STRING) || ' 笔），少发 ' ||
    CAST(f.due - f.paid AS STRING) || ' 元' || '；适用' || f.std_name || '（' || CAST(f.effective AS STRING) || ' 施行，' || CASE WHEN f.announce_date IS NOT NULL THEN '按征收土地公告日期 ' || CAST(f.announce_date AS STRING) WHEN f.last_date IS NOT NULL THEN '未发布征收土地公告，按最后发放日期 ' || CAST(f.ref_date AS STRING) ELSE '未发布征收土地公告，也没有可识别的发放日期，按最新的标准' END || '）；区片综合地价 ' || CAST(f.price AS STRING) || ' 元/亩，面积 ' || CAST(f.area AS STRING) || ' 亩，系数 ' || CAST(f.coef AS STRING) || '（' || CASE WHEN coalesce(f.basic_farmland, false) AND f.coef = f.basic_coef THEN '永久基本农田' WHEN coalesce(f.restored, false) AND f.coef = f.restored_coef THEN '恢复属性' ELSE '地类「' || f.class_key || '」' END || '，多个适用取高者）' AS evidence
FROM land_parcel f WHERE f.problem IS NULL AND f.due - f.paid > $land_tolerance;
