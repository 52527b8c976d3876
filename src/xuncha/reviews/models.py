"""Report quality review (报告评查): rubrics, review rounds, samples and scores."""
