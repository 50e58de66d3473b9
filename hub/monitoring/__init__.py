"""Monitoring: anonymous yearly statistics per municipality for the region's policy staff (issue 14, item 2).

facts.py writes statistics rows when a case's facts become final; suppression.py hides small cells and
their complements; report.py aggregates the rows of one region and year into the monitor's tables."""
