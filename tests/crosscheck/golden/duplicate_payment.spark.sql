-- 重复领取（duplicate_payment，第 2 版），Spark SQL 方言
-- 读取引擎准备的视图：pay（每行带 person_key 和 tier_rank）

-- 共享表 person_year：每次运行只建一次，读它的规则共用
CREATE OR REPLACE TEMPORARY VIEW person_year AS
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
    'D' || CAST(g.group_no AS STRING) AS group_key, g.tier_rank, '同一人 ' || CAST(g.pay_year AS STRING) || ' 年共发放 ' || CAST(g.n AS STRING) ||
    ' 次（涉及 ' || CAST(g.files AS STRING) || ' 个文件），合计 ' ||
    coalesce(CAST(g.total AS STRING), '?') || ' 元；同组编号 D' || CAST(g.group_no AS STRING) AS evidence
FROM pay p JOIN (
    SELECT *, row_number() OVER (ORDER BY person_key, pay_year) AS group_no
    FROM person_year WHERE n > 1) g
  ON g.person_key = p.person_key AND g.pay_year = p.pay_year
WHERE (p.amount IS NULL OR p.amount <> 0);
