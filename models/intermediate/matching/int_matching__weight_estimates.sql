{{ config(materialized='table', tags=['on_request']) }}

{%- set comparisons = ['first_name', 'last_name', 'birth_date', 'ssn', 'email', 'address',
                       'gender', 'vendor_id'] -%}
{%- set sample_records = 20000 -%}
{%- set persons_per_record = 5 -%}

-- New m and u probabilities estimated from the organisation's own data, beside
-- the ones in use, for `python cli.py match estimate` to show and, if a
-- person agrees, save (ops.match_weights). Nothing reads it; tagged
-- on_request, so `build` leaves it out unless a selection names it.
--   u: how often two different people land on each level, from random pairs
--      of an incoming record and a person ({{ sample_records }} records,
--      {{ persons_per_record }} persons each, chosen by hash so each build picks the same).
--   m: how often the same person does, from pairs known to be one person:
--      a record whose vendor id the organisation knows, with that person,
--      and a record and a person with the same SSN. A comparison is not
--      estimated from the pairs it labelled (vendor_id not from the id pairs,
--      ssn not from the SSN pairs).
-- Probabilities are smoothed (half a pair added to every level), so a level
-- no pair reached still gets a small probability, never zero. m_pairs and
-- u_pairs count the pairs on a level other than missing.
with

records as (

    select * from {{ ref('int_matching__records') }}

),

persons as (

    select * from {{ ref('int_matching__persons') }}

),

person_ids as (

    select * from {{ ref('stg_matching__person_ids') }}

),

weights as (

    select * from {{ ref('int_matching__comparison_weights') }}

),

id_pairs as (

    select distinct
        r.record_id,
        i.person_id,
        'vendor_id' as labelled_by
    from records as r
    inner join person_ids as i
        on
            r.id_type = i.id_type
            and r.vendor_person_id = i.id_value

),

ssn_pairs as (

    select distinct
        r.record_id,
        p.person_id,
        'ssn' as labelled_by
    from records as r
    inner join persons as p
        on r.ssn_key = p.ssn_key

),

labelled as (

    select * from id_pairs
    union all
    select s.* from ssn_pairs as s
    where not exists (
        select 1 from id_pairs as i
        where s.record_id = i.record_id and s.person_id = i.person_id
    )

),

numbered_records as (

    select
        record_id,
        row_number() over (order by {{ dbt.hash('record_id') }}) as record_number
    from records

),

numbered_persons as (

    select
        person_id,
        row_number() over (order by {{ dbt.hash('person_id') }}) as person_number
    from persons

),

person_count as (

    select count(*) as persons from persons

),

draws as (

    {{ dbt.generate_series(persons_per_record) }}

),

-- Each sampled record's persons, by number (computed first, so the join to
-- the persons is an equality).
random_draws as (

    select
        r.record_id,
        1 + mod(
            r.record_number * 7919 + cast(d.generated_number as {{ dbt.type_int() }}) * 104729,
            c.persons
        ) as person_number
    from numbered_records as r
    cross join draws as d
    cross join person_count as c
    where r.record_number <= {{ sample_records }}

),

random_pairs as (

    select distinct
        d.record_id,
        p.person_id,
        'random' as labelled_by
    from random_draws as d
    inner join numbered_persons as p
        on d.person_number = p.person_number

),

all_pairs as (

    select * from labelled
    union all
    select * from random_pairs

),

paired as (

    select
        a.record_id,
        a.person_id,
        a.labelled_by as rules,
        case when i.person_id is not null then 1 else 0 end as is_known_id,
        r.first_key as r_first,
        r.last_key as r_last,
        p.first_key as p_first,
        p.last_key as p_last
    from all_pairs as a
    inner join records as r
        on a.record_id = r.record_id
    inner join persons as p
        on a.person_id = p.person_id
    left join id_pairs as i
        on
            a.record_id = i.record_id
            and a.person_id = i.person_id

),

{{ matching_one_edit_ctes('paired') }},

{{ matching_compare_ctes('paired', 'one_edit_pairs') }},

comparison_names as (

    select distinct comparison from weights

),

-- One row per pair and comparison, without the levels that weigh nothing
-- (missing) and without a label's own comparison.
long_form as (

    select
        n.comparison,
        c.rules as labelled_by,
        case n.comparison
            {% for comparison in comparisons -%}
                when '{{ comparison }}' then c.{{ comparison }}_level
            {% endfor -%}
        end as level_name
    from compared as c
    cross join comparison_names as n

),

counted as (

    select
        comparison,
        level_name,
        sum(case when labelled_by <> 'random' then 1 else 0 end) as m_pairs,
        sum(case when labelled_by = 'random' then 1 else 0 end) as u_pairs
    from long_form
    where
        level_name <> 'missing'
        and labelled_by <> comparison
    group by comparison, level_name

),

with_levels as (

    select
        w.comparison,
        w.level,
        w.m_probability as current_m,
        w.u_probability as current_u,
        w.weight as current_weight,
        coalesce(c.m_pairs, 0) as m_pairs,
        coalesce(c.u_pairs, 0) as u_pairs
    from weights as w
    left join counted as c
        on
            w.comparison = c.comparison
            and w.level = c.level_name
    where w.level <> 'missing'

),

totals as (

    select
        comparison,
        sum(m_pairs) as m_total,
        sum(u_pairs) as u_total,
        count(*) as levels
    from with_levels
    group by comparison

),

final as (

    select
        l.comparison,
        l.level,
        l.current_m,
        l.current_u,
        l.current_weight,
        (l.m_pairs + 0.5) / (t.m_total + 0.5 * t.levels) as m_probability,
        (l.u_pairs + 0.5) / (t.u_total + 0.5 * t.levels) as u_probability,
        ln(
            ((l.m_pairs + 0.5) / (t.m_total + 0.5 * t.levels))
            / ((l.u_pairs + 0.5) / (t.u_total + 0.5 * t.levels))
        ) / ln(2) as new_weight,
        t.m_total as m_pairs,
        t.u_total as u_pairs,
        l.m_pairs as m_pairs_on_level,
        l.u_pairs as u_pairs_on_level
    from with_levels as l
    inner join totals as t
        on l.comparison = t.comparison

)

select * from final
