-- Every landed line of the organisation's `applications` files, trimmed, none dropped
-- (int_org_file_lines_checked checks them).
{{ org_file_lines('applications', [
    'application_id',
    'person_id',
    'exam_code',
    'submitted_at',
    'status',
    'eligibility_start',
    'eligibility_end',
    'accommodations',
]) }}
