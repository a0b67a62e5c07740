-- What: admissions codes (gender, state, country, grade level, AP exam and
-- GRE score-type codes) that no crosswalk row translates, so they fell to
-- the crosswalk's wildcard default.
-- When it matters: a new vendor code means a person or score is labelled
-- "unknown" until the crosswalk learns it.
-- How to resolve: add the code to the seed named in rule_detail
-- (seeds/crosswalks/) and rebuild.
select
    format_name,
    field_name,
    field_value,
    rule_detail,
    count(*) as records
from {{ ref('mart_score_errors') }}
where rule = 'not_in_crosswalk'
group by format_name, field_name, field_value, rule_detail
