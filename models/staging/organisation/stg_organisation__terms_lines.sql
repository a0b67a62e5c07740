-- Every landed line of the organisation's `terms` files, trimmed, none dropped
-- (int_org_file_lines_checked checks them).
{{ org_file_lines('terms', [
    'term_code',
    'start_date',
    'end_date',
]) }}
