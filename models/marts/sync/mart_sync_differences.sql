{{ config(
    materialized='incremental',
    pre_hook=["{{ sync_drop_stale_rows() }}"],
    on_schema_change='fail',
) }}

-- Field by field, what differs between linked records of the two learner
-- systems, with the value on each side and the action the settings imply:
-- push (A's value goes to B), pull (B's value goes to A) or report (listed
-- only). The fields in scope per entity: docs/sync.md, "Data exchange".
-- Rebuilt whole when its inputs change, untouched when they do not.

{%- set learner_action = sync_action(var('sync_learner_mode')) %}
{%- set officer_action = sync_action(var('sync_officer_mode')) %}
{%- set organisation_action = sync_action(var('sync_organisation_mode')) %}
{%- set dates_action = sync_action(var('sync_qualification_dates_mode')) %}
{%- set second = var('sync_second_assessor_role') %}

with

links as (

    select * from {{ ref('int_sync__links') }}
    where link_state = 'linked'

),

organisation_ids as (

    -- A organisation id -> its B id, for linked organisations.
    select
        a_id,
        b_id
    from links
    where entity = 'organisation'

),

officer_ids as (

    select
        a_id,
        b_id
    from links
    where entity = 'officer'

),

learners as (

    select
        l.a_id,
        l.b_id,
        a.lrn,
        a.first_name as a_first_name,
        b.first_name as b_first_name,
        a.last_name as a_last_name,
        b.last_name as b_last_name,
        a.birth_date as a_birth_date,
        b.birth_date as b_birth_date,
        a.gender as a_gender,
        b.gender as b_gender,
        a.ethnicity as a_ethnicity,
        b.ethnicity as b_ethnicity,
        a.email as a_email,
        lower(a.email) as a_email_key,
        b.email as b_email,
        lower(b.email) as b_email_key,
        a.phone as a_phone,
        b.phone as b_phone,
        a.street1 as a_street1,
        b.street1 as b_street1,
        a.city as a_city,
        b.city as b_city,
        a.postcode as a_postcode,
        upper(replace(a.postcode, ' ', '')) as a_postcode_key,
        b.postcode as b_postcode,
        upper(replace(b.postcode, ' ', '')) as b_postcode_key,
        b.student_id,
        a.risk,
        b.coach_risk_score,
        a.employer_org_id,
        employer.b_id as a_employer_b_org_id,
        b.employer_b_org_id,
        -- An employer not on B yet is created there first (mart_sync_creates).
        case
            when a.employer_org_id is not null and employer.b_id is null
                then 1
            else 0
        end as employer_pending
    from links as l
    inner join {{ ref('stg_sync__a_learners') }} as a on l.a_id = a.learner_id
    inner join {{ ref('stg_sync__b_learners') }} as b on l.b_id = b.b_learner_id
    left join organisation_ids as employer on a.employer_org_id = employer.a_id
    where l.entity = 'learner'

),

officers as (

    select
        l.a_id,
        l.b_id,
        a.first_name as a_first_name,
        b.first_name as b_first_name,
        a.last_name as a_last_name,
        b.last_name as b_last_name,
        a.email as a_email,
        lower(a.email) as a_email_key,
        b.email as b_email,
        lower(b.email) as b_email_key,
        a.phone as a_phone,
        b.phone as b_phone
    from links as l
    inner join {{ ref('stg_sync__a_officers') }} as a on l.a_id = a.officer_id
    inner join {{ ref('stg_sync__b_officers') }} as b on l.b_id = b.officer_id
    where l.entity = 'officer'

),

organisations as (

    select
        l.a_id,
        l.b_id,
        a.name as a_name,
        b.name as b_name,
        a.street1 as a_street1,
        b.street1 as b_street1,
        a.city as a_city,
        b.city as b_city,
        a.postcode as a_postcode,
        upper(replace(a.postcode, ' ', '')) as a_postcode_key,
        b.postcode as b_postcode,
        upper(replace(b.postcode, ' ', '')) as b_postcode_key,
        a.phone as a_phone,
        b.phone as b_phone
    from links as l
    inner join {{ ref('stg_sync__a_organisations') }} as a on l.a_id = a.org_id
    inner join {{ ref('stg_sync__b_organisations') }} as b on l.b_id = b.org_id
    where l.entity = 'organisation'

),

qualifications as (

    -- A qualification and B's of the same linked learner and code.
    select
        {{ dbt.concat(['a.learner_id', "'/'", 'a.qualification_code']) }} as a_id,
        {{ dbt.concat(['l.b_id', "'/'", 'a.qualification_code']) }} as b_id,
        a.start_date as a_start_date,
        b.start_date as b_start_date,
        a.planned_end_date as a_planned_end_date,
        b.planned_end_date as b_planned_end_date,
        a.actual_end_date as a_actual_end_date,
        b.actual_end_date as b_actual_end_date,
        a.assessor_officer_id as a_assessor,
        assessor.b_id as a_assessor_b_id,
        b.assessor_officer_id as b_assessor_b_id,
        a.second_assessor_officer_id as a_second_assessor,
        second_assessor.b_id as a_second_assessor_b_id,
        b.second_assessor_officer_id as b_second_assessor_b_id,
        -- An assessor not on B yet is created there first (mart_sync_creates).
        case
            when a.assessor_officer_id is not null and assessor.b_id is null
                then 1
            else 0
        end as assessor_pending,
        case
            when a.second_assessor_officer_id is not null and second_assessor.b_id is null
                then 1
            else 0
        end as second_assessor_pending
    from {{ ref('stg_sync__a_qualifications') }} as a
    inner join links as l on l.entity = 'learner' and a.learner_id = l.a_id
    inner join {{ ref('stg_sync__b_qualifications') }} as b
        on l.b_id = b.learner_id and a.qualification_code = b.qualification_code
    left join officer_ids as assessor on a.assessor_officer_id = assessor.a_id
    left join officer_ids as second_assessor on a.second_assessor_officer_id = second_assessor.a_id

),

differences as (

    {%- for field in ['first_name', 'last_name', 'birth_date', 'email', 'phone', 'street1',
                      'city', 'postcode'] %}
    {{ sync_field('learner', field, 'a_' ~ field, 'b_' ~ field, learner_action, 'learners',
                  *(['a_' ~ field ~ '_key', 'b_' ~ field ~ '_key'] if field in ('email', 'postcode') else [])) }}
        union all
    {%- endfor %}
    {{ sync_field('learner', 'gender', 'a_gender', 'b_gender',
                  sync_switch_action(var('sync_update_gender'), var('sync_learner_mode')),
                  'learners') }}
    union all
    {{ sync_field('learner', 'ethnicity', 'a_ethnicity', 'b_ethnicity',
                  sync_switch_action(var('sync_update_ethnicity'), var('sync_learner_mode')),
                  'learners') }}
    union all
    {%- if var('sync_student_id_from_lrn') %}
        {{ sync_field('learner', 'student_id', 'lrn', 'student_id', sync_action('push'), 'learners') }}
        union all
    {%- endif %}
    {%- if var('sync_risk_from_coach') %}
        {{ sync_field('learner', 'risk', 'risk', 'coach_risk_score', sync_action('pull'), 'learners') }}
        union all
    {%- endif %}
    {{ sync_field('learner', 'employer', 'a_employer_b_org_id', 'employer_b_org_id',
                  sync_switch_action(var('sync_push_employer_changes'), 'push'),
                  '(select * from learners where employer_pending = 0) as settled') }}
    union all
    {%- for field in ['first_name', 'last_name', 'email', 'phone'] %}
    {{ sync_field('officer', field, 'a_' ~ field, 'b_' ~ field, officer_action, 'officers',
                  *(['a_email_key', 'b_email_key'] if field == 'email' else [])) }}
        union all
    {%- endfor %}
    {%- for field in ['name', 'street1', 'city', 'postcode', 'phone'] %}
    {{ sync_field('organisation', field, 'a_' ~ field, 'b_' ~ field, organisation_action,
                  'organisations',
                  *(['a_postcode_key', 'b_postcode_key'] if field == 'postcode' else [])) }}
        union all
    {%- endfor %}
    {%- for field in ['start_date', 'planned_end_date', 'actual_end_date'] %}
    {{ sync_field('qualification', field, 'a_' ~ field, 'b_' ~ field, dates_action,
                  'qualifications') }}
        union all
    {%- endfor %}
    {%- set assessor_action = sync_switch_action(var('sync_push_assessor_changes'), 'push') %}
    {%- if second != 'none' %}
        {%- set second_pending = 'assessor_pending' if second == 'assessor' else 'second_assessor_pending' %}
    {{ sync_field('qualification', 'second_assessor',
                  'a_assessor_b_id' if second == 'assessor' else 'a_second_assessor_b_id',
                  'b_second_assessor_b_id', assessor_action,
                  '(select * from qualifications where ' ~ second_pending ~ ' = 0) as settled') }}
        union all
    {%- endif %}
    {{ sync_field('qualification', 'assessor', 'a_assessor_b_id', 'b_assessor_b_id',
                  assessor_action, '(select * from qualifications where assessor_pending = 0) as settled') }}

),

final as (

    select
        d.entity,
        d.a_id,
        d.b_id,
        d.field_name,
        d.a_value,
        d.b_value,
        d.sync_action,
        i.fingerprint as inputs_fingerprint
    from differences as d
    cross join {{ ref('int_sync__inputs') }} as i
    where {{ sync_inputs_changed() }}

)

select * from final
