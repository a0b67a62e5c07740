-- Every landed line of the organisation's `person_ids` files, trimmed, none dropped
-- (int_org_file_lines_checked checks them).
{{ org_file_lines('person_ids', [
    'person_id',
    'id_type',
    'id_value',
]) }}
