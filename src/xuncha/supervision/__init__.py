"""Rectification supervision and assessment (整改督查评估): indicator systems, assessments."""
