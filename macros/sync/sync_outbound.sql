{% macro sync_outbound(side, changes) -%}
    {#- The changes for one side not sent before with the same value: the
        latest item sent to that side for the same change kind, entity,
        record and field must carry another value hash (or there is none).
        Nothing when the integration is not enabled. -#}
    with

    changes as (

        {{ changes }}

    ),

    hashed as (

        select
            change_kind,
            entity,
            record_id,
            field_name,
            field_value,
            {{ dbt.hash("coalesce(field_value, '')") }} as value_hash
        from changes

    ),

    sent as (

        select
            change_kind,
            entity,
            record_id,
            field_name,
            value_hash,
            row_number() over (
                partition by change_kind, entity, record_id, field_name
                order by sync_export_file_id desc
            ) as newest
        from {{ ref('stg_ops__sync_export_items') }}
        where side = '{{ side }}'

    ),

    final as (

        select h.*
        from hashed as h
        left join sent as s
            on s.newest = 1
            and h.change_kind = s.change_kind
            and h.entity = s.entity
            and h.record_id = s.record_id
            and h.field_name = s.field_name
        where (s.value_hash is null or s.value_hash <> h.value_hash)
            and {{ 'true' if var('sync_enabled') else 'false' }}

    )

    select * from final
{%- endmacro %}
