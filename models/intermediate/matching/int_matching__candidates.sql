{{ config(
    materialized='incremental',
    pre_hook=["{{ matching_working_memory() }}"],
    post_hook=["{{ refresh_statistics() }}"],
) }}

{#- The comparisons, in the order of their columns. -#}
{%- set comparisons = ['first_name', 'last_name', 'birth_date', 'ssn', 'email', 'address',
                       'gender', 'vendor_id'] -%}

-- Every incoming record with its candidate persons, how each compared, the
-- score, and the record's automatic outcome. Incremental: a build scores
-- the records int_matching__pairs holds (those no build scored before),
-- against the persons as they stand then; a record's rows never change
-- afterwards (people's decisions are applied downstream, in
-- int_matching__outcomes). Grain: one row per record and candidate
-- (candidate_rank 1 = best), kept up to max_candidates; a record with no
-- candidate has one row whose candidate_person_id is null.
with

settings as (

    select * from {{ ref('int_matching__settings') }}

),

records as (

    select r.*
    from {{ ref('int_matching__records') }} as r
    where
        r.record_id in (select p.record_id from {{ ref('int_matching__pairs') }} as p)
        {%- if is_incremental() %}
            -- not exists: a `not in` list larger than work_mem is scanned once per row
            and not exists (
                select 1 from {{ this }} as t
                where t.record_id = r.record_id
            )
        {%- endif %}

),

compared as (

    select * from {{ ref('int_matching__pair_comparisons') }}

),

weights as (

    select * from {{ ref('int_matching__comparison_weights') }}

),

decided_records as (

    select * from {{ ref('int_matching__decided_records') }}

),

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
        c.is_known_id = 1 or c.ssn_level = 'exact' or c.email_level = 'exact' as is_id_confirmed
    from compared as c
    cross join settings as s
    {%- for comparison in comparisons %}
        left join weights as w_{{ comparison }}
            on
                w_{{ comparison }}.comparison = '{{ comparison }}'
                and c.{{ comparison }}_level = w_{{ comparison }}.level
    {%- endfor %}

),

-- The guards: a candidate that may not be matched automatically, and why
-- (an id, the SSN or the email agreeing lifts every guard). Twins and
-- siblings share a surname, birth date or address: another first name or
-- another gender is another person until someone decides otherwise.
guarded as (

    select
        w.*,
        case
            when w.is_id_confirmed then null
            when w.first_name_level = 'different' or w.gender_level = 'different'
                then 'possible twin or sibling: another first name or gender'
            when w.birth_date_level not in ('exact', 'day_month_swapped', 'one_digit_off')
                then 'birth date disagrees or is missing'
            when w.last_name_level = 'different' and w.address_level <> 'street_and_zip'
                then 'surname disagrees and the address does not confirm'
        end as automatic_guard
    from weighed as w

),

scored as (

    select
        w.*,
        {% for comparison in comparisons -%}
            coalesce(w.{{ comparison }}_weight, 0){{ ' +' if not loop.last }}
        {% endfor -%}
            as score
    from guarded as w

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
        max(case when r.candidate_rank = 1 then r.automatic_guard end) as best_guard,
        sum(case when r.score >= s.automatic_threshold and r.automatic_guard is null then 1 else 0 end)
            as candidates_above_automatic,
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
            when pr.best_guard is not null then pr.best_guard
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
        k.is_id_confirmed,
        k.automatic_guard,
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
