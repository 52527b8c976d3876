"""Legal standards as data, with pure functions over them (DESIGN.md: ``policy/``).

The land-compensation standard (征地补偿标准): versioned zone prices (区片综合地价),
the split into land compensation fee and resettlement subsidy, land-class and special
coefficients, and a calculator that says what a parcel is due and why.
"""
