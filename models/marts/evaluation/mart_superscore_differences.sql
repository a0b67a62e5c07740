-- Where the vendor's own superscore (ACT's Sup_Composite, from the newest
-- file that gives one) differs from ours (int_evaluation__superscores), or
-- we have none: listed with both values and why they can differ.
with

scores as (

    select * from {{ ref('int_evaluation__person_scores') }}

),

vendor_components as (

    select distinct
        test_code,
        vendor_superscore_component as component
    from {{ ref('evaluation_superscore_parts') }}
    where vendor_superscore_component is not null

),

ours as (

    select distinct
        person_id,
        test_code,
        superscore,
        parts_present,
        parts_needed
    from {{ ref('int_evaluation__superscores') }}

),

vendor_ranked as (

    select
        s.*,
        row_number() over (
            partition by s.person_id, s.test_code
            order by s.received_at desc, s.file_id desc, s.line_number desc
        ) as newest_first
    from scores as s
    inner join vendor_components as v
        on
            s.test_code = v.test_code
            and s.component = v.component

),

final as (

    select
        v.person_id,
        v.test_code,
        cast(v.score as {{ dbt.type_int() }}) as vendor_superscore,
        o.superscore,
        cast(v.score as {{ dbt.type_int() }}) - o.superscore as difference,
        v.score_id as vendor_score_id,
        v.file_id as vendor_file_id,
        v.file_name as vendor_file_name,
        v.line_number as vendor_line_number,
        case
            when o.superscore is null
                then
                    'we hold no official best score of every part ('
                    || cast(coalesce(o.parts_present, 0) as {{ dbt.type_string() }})
                    || ' of the parts): the vendor saw sittings we never received or did not accept'
            else
                'the vendor counts every sitting it holds; ours counts only the sittings we '
                || 'received, matched to this person and found official'
        end as reason
    from vendor_ranked as v
    left join ours as o
        on
            v.person_id = o.person_id
            and v.test_code = o.test_code
    where
        v.newest_first = 1
        and (o.superscore is null or o.superscore <> v.score)

)

select * from final
