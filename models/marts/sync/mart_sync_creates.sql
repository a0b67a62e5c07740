{{ config(
    materialized='incremental',
    pre_hook=["{{ sync_drop_stale_rows() }}"],
    on_schema_change='fail',
) }}

-- Records to create on side B, one row per field: learners enrolled on A
-- with no B id kept (create-on-B proposals), organisations and officers
-- with a blank link (a new one is created on B), and the qualifications of
-- linked learners that B does not have. A reference to a record still to
-- be created on B (an employer, an assessor) is written "new:<A id>".
-- Rebuilt whole when its inputs change, untouched when they do not.

{%- set second = var('sync_second_assessor_role') %}

with

links as (

    select * from {{ ref('int_sync__links') }}

),

b_ids as (

    -- The B id of each linked A record, or new:<A id> for one created on B.
    select
        entity,
        a_id,
        case
            when link_state = 'linked' then b_id
            when link_state = 'unlinked' then {{ dbt.concat(["'new:'", 'a_id']) }}
        end as b_ref
    from links

),

new_learners as (

    select
        a.*,
        employer.b_ref as employer_ref
    from {{ ref('stg_sync__a_learners') }} as a
    inner join links as l
        on l.entity = 'learner' and a.learner_id = l.a_id and l.link_state = 'unlinked'
    left join b_ids as employer
        on employer.entity = 'organisation' and a.employer_org_id = employer.a_id

),

new_organisations as (

    select a.*
    from {{ ref('stg_sync__a_organisations') }} as a
    inner join links as l
        on l.entity = 'organisation' and a.org_id = l.a_id and l.link_state = 'unlinked'

),

new_officers as (

    select a.*
    from {{ ref('stg_sync__a_officers') }} as a
    inner join links as l
        on l.entity = 'officer' and a.officer_id = l.a_id and l.link_state = 'unlinked'

),

new_qualifications as (

    select
        a.*,
        l.b_id as b_learner_id,
        assessor.b_ref as assessor_ref,
        second_assessor.b_ref as second_assessor_ref
    from {{ ref('stg_sync__a_qualifications') }} as a
    inner join links as l
        on l.entity = 'learner' and a.learner_id = l.a_id and l.link_state = 'linked'
    left join {{ ref('stg_sync__b_qualifications') }} as b
        on l.b_id = b.learner_id and a.qualification_code = b.qualification_code
    left join b_ids as assessor
        on assessor.entity = 'officer' and a.assessor_officer_id = assessor.a_id
    left join b_ids as second_assessor
        on second_assessor.entity = 'officer' and a.second_assessor_officer_id = second_assessor.a_id
    where b.learner_id is null

),


{%- set learner_fields = [
    ['first_name', 'first_name'], ['last_name', 'last_name'], ['birth_date', 'birth_date'],
    ['gender', 'gender'], ['ethnicity', 'ethnicity'], ['email', 'email'], ['phone', 'phone'],
    ['street1', 'street1'], ['city', 'city'], ['postcode', 'postcode'],
    ['employer', 'employer_ref'],
    ['welcome_email', "'" ~ ('Y' if var('sync_welcome_email') else 'N') ~ "'"],
] %}
{%- if var('sync_student_id_from_lrn') %}{% do learner_fields.append(['student_id', 'lrn']) %}{% endif %}
{%- if var('sync_send_disability') %}{% do learner_fields.append(['disability', 'disability']) %}{% endif %}
{%- set qualification_fields = [
    ['learner', 'b_learner_id'], ['qualification_code', 'qualification_code'],
    ['start_date', 'start_date'], ['planned_end_date', 'planned_end_date'],
    ['actual_end_date', 'actual_end_date'], ['assessor', 'assessor_ref'],
] %}
{%- if second != 'none' %}
    {%- do qualification_fields.append(['second_assessor',
        'assessor_ref' if second == 'assessor' else 'second_assessor_ref']) %}
{%- endif %}

creates as (

    {{ sync_field_rows('learner', 'learner_id', learner_fields, 'new_learners') }}
    union all
    {{ sync_field_rows('organisation', 'org_id', [['name', 'name'], ['street1', 'street1'],
        ['city', 'city'], ['postcode', 'postcode'], ['phone', 'phone']], 'new_organisations') }}
    union all
    {{ sync_field_rows('officer', 'officer_id', [['first_name', 'first_name'],
        ['last_name', 'last_name'], ['email', 'email'], ['phone', 'phone'],
        ['create_sso_user', "'" ~ ('Y' if var('sync_create_sso_users') else 'N') ~ "'"]],
        'new_officers') }}
    union all
    {{ sync_field_rows('qualification', dbt.concat(['learner_id', "'/'", 'qualification_code']),
        qualification_fields, 'new_qualifications') }}

),

final as (

    select
        c.entity,
        c.a_id,
        c.field_name,
        c.field_value,
        i.fingerprint as inputs_fingerprint
    from creates as c
    cross join {{ ref('int_sync__inputs') }} as i
    where {{ sync_inputs_changed() }}

)

select * from final
