{{ config(indexes=[{'columns': ['record_id']}, {'columns': ['waiting_since', 'record_id']}]) }}

{%- set comparisons = ['first_name', 'last_name', 'birth_date', 'ssn', 'email', 'address',
                       'gender', 'vendor_id'] -%}
-- What waits for a person: every potential record not yet decided, oldest
-- first (queue_position), with the incoming record and each candidate side by
-- side, each comparison's level, whether it agreed, came close or disagreed,
-- and the weight it carried. A record with no candidate (invalid identifying
-- values) has one row with no candidate. Decide with `python cli.py match
-- review` or `load match_decisions`. SSNs show only their last four digits,
-- and only where both sides had one.
with

outcomes as (

    select * from {{ ref('int_matching__outcomes') }}
    where outcome = 'potential'

),

candidates as (

    select * from {{ ref('int_matching__candidates') }}

),

records as (

    select * from {{ ref('int_matching__records') }}

),

persons as (

    select * from {{ ref('int_matching__persons') }}

),

weights as (

    select * from {{ ref('int_matching__comparison_weights') }}

),

side_by_side as (

    select
        o.record_id,
        o.received_at as waiting_since,
        o.file_name,
        o.line_number,
        o.format_name,
        o.automatic_rule as reason,
        o.best_score,
        c.candidate_rank,
        c.candidate_person_id,
        c.score,
        c.blocking_rules,
        {%- for comparison in comparisons %}
            c.{{ comparison }}_level,
            c.{{ comparison }}_weight,
        {%- endfor %}
        c.automatic_guard,
        r.id_type as record_id_type,
        r.vendor_person_id as record_vendor_person_id,
        r.first_name as record_first_name,
        r.middle_name as record_middle_name,
        r.last_name as record_last_name,
        r.birth_date as record_birth_date,
        r.gender as record_gender,
        r.email as record_email,
        {{ matching_address_text('r.street', 'r.city', 'r.state', 'r.zip') }} as record_address,
        case when c.ssn_level <> 'missing' then {{ dbt.right('r.ssn_key', 4) }} end as record_ssn_last4,
        p.first_name as candidate_first_name,
        p.middle_name as candidate_middle_name,
        p.last_name as candidate_last_name,
        p.birth_date as candidate_birth_date,
        p.gender as candidate_gender,
        p.email as candidate_email,
        {{ matching_address_text('p.street', 'p.city', 'p.state', 'p.zip') }} as candidate_address,
        case when c.ssn_level <> 'missing' then {{ dbt.right('p.ssn_key', 4) }} end as candidate_ssn_last4
    from outcomes as o
    inner join candidates as c
        on o.record_id = c.record_id
    inner join records as r
        on o.record_id = r.record_id
    left join persons as p
        on c.candidate_person_id = p.person_id

),

agreement as (

    select
        s.*,
        {%- for comparison in comparisons %}
            w_{{ comparison }}.agreement as {{ comparison }}_agreement,
        {%- endfor %}
        trim(
            {%- for comparison in comparisons %}
                case when w_{{ comparison }}.agreement = 'agree' then '{{ comparison }} ' else '' end
                {{- ' ||' if not loop.last }}
            {%- endfor %}
        ) as agreed,
        trim(
            {%- for comparison in comparisons %}
                case when w_{{ comparison }}.agreement = 'close' then '{{ comparison }} ' else '' end
                {{- ' ||' if not loop.last }}
            {%- endfor %}
        ) as came_close,
        trim(
            {%- for comparison in comparisons %}
                case when w_{{ comparison }}.agreement = 'disagree' then '{{ comparison }} ' else '' end
                {{- ' ||' if not loop.last }}
            {%- endfor %}
        ) as disagreed
    from
        side_by_side as s
        {%- for comparison in comparisons %}
        left join weights as w_{{ comparison }}
            on
                w_{{ comparison }}.comparison = '{{ comparison }}'
                and s.{{ comparison }}_level = w_{{ comparison }}.level
            {%- endfor %}

),

final as (

    select
        dense_rank() over (order by waiting_since, record_id) as queue_position,
        *
    from agreement

)

select * from final
