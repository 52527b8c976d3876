"""Cross-checks in the workbench: datasets, runs as background jobs, suspects and their
verification, roll-up into findings (see docs/user-guide.md, 数据比对)."""
