"""Demo data for the workbench: a fictional city with a term of inspection work."""
