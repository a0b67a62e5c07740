{{ config(
    materialized='incremental',
    post_hook=["{{ refresh_statistics() }}"],
) }}

{#- The comparisons, in the order of their columns. -#}
{%- set comparisons = ['first_name', 'last_name', 'birth_date', 'ssn', 'email', 'address',
                       'gender', 'vendor_id'] -%}

-- Every incoming record with its candidate persons, how each compared, the
-- score, and the record's automatic outcome. Incremental: a build scores
-- only the records it has not scored before, against the persons as they
-- stand then; a record's row set never changes afterwards (people's
-- decisions are applied downstream, in int_matching__outcomes).
-- Grain: one row per record and candidate (candidate_rank 1 = best), kept
-- up to max_candidates; a record with no candidate has one row whose
-- candidate_person_id is null.
with

settings as (

    select * from {{ ref('int_matching__settings') }}

),

records as (

    select * from {{ ref('int_matching__records') }}
    {% if is_incremental() %}
        where record_id not in (select t.record_id from {{ this }} as t)
    {% endif %}

),

persons as (

    select * from {{ ref('int_matching__persons') }}

),

person_ids as (

    select * from {{ ref('stg_matching__person_ids') }}

),

frequencies as (

    select * from {{ ref('int_matching__name_frequencies') }}

),

weights as (

    select * from {{ ref('int_matching__comparison_weights') }}

),

nicknames as (

    select * from {{ ref('int_matching__nicknames') }}

),

decisions as (

    select * from {{ ref('stg_ops__match_decisions') }}

),

-- Records a person decided, with their vendor ids: a later record with the
-- same id is not asked about again.
decided_records as (

    select
        d.decision,
        d.person_id,
        dr.id_type,
        dr.vendor_person_id
    from decisions as d
    inner join {{ ref('int_matching__records') }} as dr
        on d.record_id = dr.record_id
    where
        d.decision in ('same_person', 'new_person')
        and dr.id_type is not null
        and dr.vendor_person_id is not null

),

-- Vendor ids known for a person: the organisation's, and those of records
-- matched automatically by an earlier build (offered to the student system
-- by mart_new_vendor_ids meanwhile).
known_ids as (

    select
        id_type,
        id_value,
        person_id,
        'known vendor id' as known_from
    from person_ids
    {% if is_incremental() %}
        union all
        select distinct
            t.id_type,
            t.vendor_person_id as id_value,
            t.matched_person_id as person_id,
            'vendor id matched before' as known_from
        from {{ this }} as t
        where
            t.automatic_outcome = 'matched'
            and t.candidate_rank = 1
            and t.id_type is not null
            and t.vendor_person_id is not null
            and not exists (
                select 1 from person_ids as o
                where
                    t.id_type = o.id_type
                    and t.vendor_person_id = o.id_value
            )
    {% endif %}
    union all
    select distinct
        id_type,
        vendor_person_id as id_value,
        person_id,
        'vendor id decided before' as known_from
    from decided_records
    where decision = 'same_person'

),

id_candidates as (

    select
        r.record_id,
        k.person_id,
        min(k.known_from) as rule_name
    from records as r
    inner join known_ids as k
        on
            r.id_type = k.id_type
            and r.vendor_person_id = k.id_value
    group by r.record_id, k.person_id

),

-- Records whose vendor id is known need no other candidates (the blocking
-- rules' CTEs read this; the linter sees no rules, hence the noqa).
records_to_block as (  -- noqa: ST03

    select r.*
    from records as r
    where
        not exists (
            select 1 from id_candidates as i
            where r.record_id = i.record_id
        )
        and not exists (
            select 1 from decided_records as d
            where
                d.decision = 'new_person'
                and r.id_type = d.id_type
                and r.vendor_person_id = d.vendor_person_id
        )

),
{%- for rule in matching_blocking_rules() %}

-- Blocking rule {{ rule.name }}: keys shared by more than max_block_size
-- persons give no candidates.
oversized_{{ rule.name }} as (

    select
        {%- for col in rule.person_key %}
        p.{{ col }}{{ ',' if not loop.last }}
        {%- endfor %}
    from persons as p
    where
        {%- for col in rule.person_key %}
        p.{{ col }} is not null{{ ' and' if not loop.last }}
        {%- endfor %}
    group by
        {%- for col in rule.person_key %}
        p.{{ col }}{{ ',' if not loop.last }}
        {%- endfor %}
    having count(*) > (select max(s.max_block_size) from settings as s)

),

block_{{ rule.name }} as (

    select
        r.record_id,
        p.person_id,
        '{{ rule.name }}' as rule_name
    from records_to_block as r
    inner join persons as p
        on
        {%- for col in rule.record_key %}
            r.{{ col }} = p.{{ rule.person_key[loop.index0] }}{{ ' and' if not loop.last }}
        {%- endfor %}
    where not exists (
        select 1 from oversized_{{ rule.name }} as o
        where
        {%- for col in rule.person_key %}
            p.{{ col }} = o.{{ col }}{{ ' and' if not loop.last }}
        {%- endfor %}
    )

),
{%- endfor %}

blocked as (

    select * from id_candidates
    {%- for rule in matching_blocking_rules() %}
    union all
    select * from block_{{ rule.name }}
    {%- endfor %}

),

pairs as (

    select
        record_id,
        person_id,
        {{ dbt.listagg('rule_name', "', '", 'order by rule_name') }} as rules,
        max(case when rule_name in {{ matching_rules_known_id() }} then 1 else 0 end)
            as is_known_id
    from blocked
    group by record_id, person_id

),

paired as (

    select
        p.record_id,
        p.person_id,
        p.rules,
        p.is_known_id,
        r.first_key as r_first,
        r.last_key as r_last,
        pe.first_key as p_first,
        pe.last_key as p_last
    from pairs as p
    inner join records as r
        on p.record_id = r.record_id
    inner join persons as pe
        on p.person_id = pe.person_id

),

person_id_types as (

    select distinct
        person_id,
        id_type
    from known_ids

),

{{ matching_compare_ctes('paired') }},

-- Each level's weight; on an exact first name or surname, u is the name's
-- frequency among persons (never below tf_floor).
weighed as (

    select
        c.*,
        {%- for comparison in comparisons %}
            {%- if comparison in ('first_name', 'last_name') %}
                case
                    when w_{{ comparison }}.is_term_frequency_adjusted and c.{{ comparison }}_frequency is not null
                        then ln(w_{{ comparison }}.m_probability / (
                            case
                                when c.{{ comparison }}_frequency > s.tf_floor then c.{{ comparison }}_frequency
                                else s.tf_floor
                            end
                        )) / ln(2)
                    else w_{{ comparison }}.weight
                end as {{ comparison }}_weight,
            {%- else %}
                coalesce(w_{{ comparison }}.weight, 0) as {{ comparison }}_weight,
            {%- endif %}
        {%- endfor %}
        c.first_name_level = 'different'
        and c.is_known_id = 0
        and c.ssn_level <> 'exact'
        and c.email_level <> 'exact' as is_possible_sibling
    from compared as c
    cross join settings as s
    {%- for comparison in comparisons %}
        left join weights as w_{{ comparison }}
            on
                w_{{ comparison }}.comparison = '{{ comparison }}'
                and c.{{ comparison }}_level = w_{{ comparison }}.level
    {%- endfor %}

),

scored as (

    select
        w.*,
        {% for comparison in comparisons -%}
            coalesce(w.{{ comparison }}_weight, 0){{ ' +' if not loop.last }}
        {% endfor -%}
            as score
    from weighed as w

),

ranked as (

    select
        s.*,
        row_number() over (
            partition by s.record_id
            order by s.is_known_id desc, s.score desc, s.person_id asc
        ) as candidate_rank
    from scored as s

),

per_record as (

    select
        r.record_id,
        sum(r.is_known_id) as known_id_persons,
        max(case when r.is_known_id = 1 then r.rules end) as known_from,
        max(case when r.candidate_rank = 1 then r.score end) as best_score,
        max(case when r.candidate_rank = 2 then r.score end) as runner_up_score,
        max(case when r.candidate_rank = 1 then r.person_id end) as best_person_id,
        max(case when r.candidate_rank = 1 and r.is_possible_sibling then 1 else 0 end)
            as is_best_possible_sibling,
        sum(case when r.score >= s.automatic_threshold then 1 else 0 end) as candidates_above_automatic,
        count(*) as candidates
    from ranked as r
    cross join settings as s
    group by r.record_id

),

decided_new_ids as (

    select distinct
        id_type,
        vendor_person_id
    from decided_records
    where decision = 'new_person'

),

-- Why the record ends as it does, in order: a known vendor id first; then
-- invalid identifying values; then the score with its guards.
judged as (

    select
        rec.record_id,
        coalesce(pr.candidates, 0) as candidates,
        pr.best_score,
        pr.runner_up_score,
        pr.best_person_id,
        case
            when pr.known_id_persons = 1 then pr.known_from
            when new_id.id_type is not null then 'vendor id decided new before'
            when pr.known_id_persons > 1 then 'vendor id known for several persons'
            when rec.invalid_reason is not null then 'invalid: ' || rec.invalid_reason
            when pr.record_id is null then 'no candidate'
            when pr.best_score < s.review_threshold then 'best score below the review threshold'
            when pr.best_score < s.automatic_threshold
                then 'score between the review and automatic thresholds'
            when pr.is_best_possible_sibling = 1 then 'possible twin or sibling: another first name'
            when pr.candidates_above_automatic > 1
                then 'several candidates above the automatic threshold'
            when pr.best_score - pr.runner_up_score < s.margin then 'runner-up within the margin'
            else 'score'
        end as automatic_rule
    from records as rec
    cross join settings as s
    left join per_record as pr
        on rec.record_id = pr.record_id
    left join decided_new_ids as new_id
        on
            rec.id_type = new_id.id_type
            and rec.vendor_person_id = new_id.vendor_person_id

),

decided as (

    select
        j.*,
        case
            when j.automatic_rule in {{ matching_rules_matched() }} then 'matched'
            when j.automatic_rule in {{ matching_rules_new() }} then 'new'
            else 'potential'
        end as automatic_outcome,
        case
            when j.automatic_rule in {{ matching_rules_matched() }} then j.best_person_id
        end as matched_person_id
    from judged as j

),

final as (

    select
        d.record_id,
        rec.id_type,
        rec.vendor_person_id,
        d.automatic_outcome,
        d.automatic_rule,
        d.matched_person_id,
        d.best_score,
        d.runner_up_score,
        d.candidates,
        k.candidate_rank,
        k.person_id as candidate_person_id,
        k.rules as blocking_rules,
        k.score,
        {%- for comparison in comparisons %}
            k.{{ comparison }}_level,
            k.{{ comparison }}_weight,
        {%- endfor %}
        k.is_possible_sibling,
        {{ dbt.current_timestamp() }} as scored_at
    from decided as d
    inner join records as rec
        on d.record_id = rec.record_id
    cross join settings as s
    left join ranked as k
        on
            d.record_id = k.record_id
            and s.max_candidates >= k.candidate_rank

)

select * from final
