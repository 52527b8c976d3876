"""Amounts as finance offices and the seeds write them: 246,500.00 元. Django's zh-Hans
formats group by nothing, so a figure page read 246500.00; everything else (dates and
input formats) stays Django's."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

# A date field (<input type="date">) shows its value only as YYYY-MM-DD: the first input
# format is what Django writes into it, so ISO comes first (Django's zh-Hans puts
# 2016/09/05 first, which left every prefilled date field blank). The others still parse.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
