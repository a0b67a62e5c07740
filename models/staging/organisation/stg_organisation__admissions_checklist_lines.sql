-- Every landed line of the organisation's `admissions_checklist` files, trimmed, none dropped
-- (int_org_file_lines_checked checks them).
{{ org_file_lines('admissions_checklist', [
    'person_id',
    'entry_term',
    'item_code',
    'received_date',
    'first_requested_date',
    'last_requested_date',
]) }}
