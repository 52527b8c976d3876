"""Amounts as finance offices and the seeds write them: 246,500.00 元. Django's zh-Hans
formats group by nothing, so a figure page read 246500.00; everything else (dates and
input formats) stays Django's."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
