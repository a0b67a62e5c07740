with

quarantined as (

    select * from {{ ref('int_admissions__files_quarantined') }}

),

final as (

    select
        file_id,
        source_name as source,  -- noqa: RF04
        format_name,
        file_name,
        detected_at,
        {{ admissions_listagg('reason', "'; '", 'order by rule') }} as reason,
        {{ admissions_listagg('rule', "', '", 'order by rule') }} as rules
    from quarantined
    group by file_id, source_name, format_name, file_name, detected_at

)

select * from final
