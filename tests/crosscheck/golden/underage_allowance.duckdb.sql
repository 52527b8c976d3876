-- 未到年龄领取（underage_allowance，第 1 版），DuckDB 方言
-- 读取引擎准备的视图：pay（每行带 person_key 和 tier_rank）
-- 参数 $min_age：起始年龄（岁），默认 80（运行时另行传入，不写进语句）

-- 规则查询：每行一个疑点
SELECT rid, CAST(NULL AS BIGINT) AS reg_rid, CAST(NULL AS STRING) AS group_key, tier_rank,
    '身份证号码所示出生日期 ' || substr(t.b, 1, 4) || '-' || substr(t.b, 5, 2) || '-' || substr(t.b, 7, 2) || '；' ||
    CASE WHEN t.pay_date IS NOT NULL THEN '发放日期 ' || CAST(t.pay_date AS STRING) || ' 时'
         ELSE '发放年度 ' || CAST(t.pay_year AS STRING) || ' 年到年末' END ||
    '年满 ' || CAST(((t.on_day - t.born) // 10000) AS STRING) || ' 周岁，不到 ' ||
    CAST($min_age AS STRING) || ' 周岁' AS evidence
FROM (
    SELECT p.rid, p.tier_rank, p.pay_date, p.pay_year, (p.person_key // 1000) % 100000000 AS born, CASE WHEN p.pay_date IS NOT NULL
        THEN year(p.pay_date) * 10000 + month(p.pay_date) * 100 + dayofmonth(p.pay_date)
        ELSE p.pay_year * 10000 + 1231 END AS on_day,
        CAST((p.person_key // 1000) % 100000000 AS STRING) AS b
    FROM pay p
    WHERE p.person_key < 100000000000000000 AND (p.amount IS NULL OR p.amount > 0)
      AND (p.pay_date IS NOT NULL OR p.pay_year IS NOT NULL)) t
WHERE t.on_day - t.born < $min_age * 10000;
