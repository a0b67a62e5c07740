"""The self-contained HTML report and the CSV of every mart."""
