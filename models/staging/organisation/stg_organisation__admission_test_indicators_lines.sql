-- Every landed line of the organisation's `admission_test_indicators` files, trimmed, none dropped
-- (int_org_file_lines_checked checks them).
{{ org_file_lines('admission_test_indicators', [
    'person_id',
    'indicator',
    'test_letter',
]) }}
