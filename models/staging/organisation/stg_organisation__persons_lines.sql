-- Every landed line of the organisation's `persons` files, trimmed, none dropped
-- (int_org_file_lines_checked checks them).
{{ org_file_lines('persons', [
    'person_id',
    'last_name',
    'first_name',
    'middle_name',
    'birth_date',
    'email',
    'ssn',
    'gender',
    'street1',
    'street2',
    'city',
    'state',
    'zip',
    'country',
]) }}
