-- 超标准发放（over_standard，第 2 版），DuckDB 方言
-- 读取引擎准备的视图：pay（每行带 person_key 和 tier_rank）
-- 参数 $standard：发放标准（元/人/年），默认 600（运行时另行传入，不写进语句）

-- 共享表 person_year：每次运行只建一次，读它的规则共用
CREATE OR REPLACE TABLE person_year AS
WITH g AS (
    SELECT person_key, pay_year, sum(CASE WHEN (pay.amount IS NULL OR pay.amount > 0) THEN 1 WHEN pay.amount < 0 THEN -1 ELSE 0 END) AS n,
        sum(amount) AS total, max(tier_rank) AS tier_rank
    FROM pay WHERE person_key IS NOT NULL AND pay_year IS NOT NULL GROUP BY person_key, pay_year),
f AS (
    SELECT p.person_key, p.pay_year, count(DISTINCT p.src) AS files
    FROM pay p JOIN g ON g.person_key = p.person_key AND g.pay_year = p.pay_year AND g.n > 1
    WHERE (p.amount IS NULL OR p.amount <> 0)
    GROUP BY p.person_key, p.pay_year)
SELECT g.*, coalesce(f.files, 1) AS files
FROM g LEFT JOIN f ON f.person_key = g.person_key AND f.pay_year = g.pay_year;

-- 规则查询：每行一个疑点
SELECT p.rid, CAST(NULL AS BIGINT) AS reg_rid,
    'O' || CAST(g.group_no AS STRING) AS group_key, g.tier_rank, '同一人 ' || CAST(g.pay_year AS STRING) || ' 年合计发放 ' || CAST(g.total AS STRING) ||
    ' 元，标准 ' || CAST($standard AS STRING) || ' 元/人/年，超出 ' || CAST(g.total - $standard AS STRING) ||
    ' 元；同组编号 O' || CAST(g.group_no AS STRING) AS evidence
FROM pay p JOIN (
    SELECT *, row_number() OVER (ORDER BY person_key, pay_year) AS group_no
    FROM person_year WHERE total > $standard) g
  ON g.person_key = p.person_key AND g.pay_year = p.pay_year
WHERE TRUE
UNION ALL
SELECT rid, CAST(NULL AS BIGINT) AS reg_rid, CAST(NULL AS STRING) AS group_key,
    4 AS tier_rank,
    '无法归属到人：' || coalesce(id_problem, '身份证号码无法识别') ||
    '，不能确定领取人，本行不与其他行合计；本行一次发放 ' || CAST(amount AS STRING) ||
    ' 元，已超过标准 ' || CAST($standard AS STRING) || ' 元/人/年，超出 ' ||
    CAST(amount - $standard AS STRING) || ' 元，请核实领取人' AS evidence
FROM pay WHERE person_key IS NULL AND amount > $standard;
