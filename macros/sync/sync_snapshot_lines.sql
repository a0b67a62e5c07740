{% macro sync_snapshot_lines(table, columns) -%}
    {#- The lines of the newest file of one a_* / b_* format, values trimmed
        (blanks are null). Each extract is a full snapshot of its side, so only
        the newest file counts: the last landed one, or the original of a
        newer duplicate (the same bytes again are that day's snapshot too). -#}
    select
        lines._file_id as file_id,
        lines._line_number as line_number,
        lines._parse_error as parse_error,
    {%- for column in columns %}
        {{ blank_to_null('lines.' ~ column) }} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ source('raw', table) }} as lines
    where lines._file_id = {{ sync_current_file_id(table) }}
    {%- if is_incremental() %}
        -- An incremental build reads the snapshot only when it is not the one
        -- this table holds (sync_drop_old_snapshot emptied it then).
        and {{ sync_current_file_id(table) }}
            <> coalesce((select max(file_id) from {{ this }}), -1)
    {%- endif %}
{%- endmacro %}


{% macro sync_current_file_id(format_name) -%}
    {#- The file holding the current snapshot of one a_* / b_* format, as a
        scalar subquery: the newest landed file, or the original of a newer
        duplicate (the same bytes again are that day's snapshot too). -#}
    {%- set manifest = source('raw', 'file_manifest') -%}
    (
        select coalesce(received.duplicate_of, received.file_id)
        from {{ manifest }} as received
        where received.file_id = (
            select max(newer.file_id)
            from {{ manifest }} as newer
            left join {{ manifest }} as original
                on newer.duplicate_of = original.file_id
            where
                newer.format = '{{ format_name }}'
                and (
                    newer.status = 'landed'
                    or (newer.status = 'duplicate' and original.status = 'landed')
                )
        )
    )
{%- endmacro %}


{% macro sync_drop_old_snapshot() -%}
    {#- Pre-hook of the incremental sync staging models (stg_sync__<format>):
        when the current snapshot file of the format is not the one the table
        holds, its rows go (the new snapshot replaces them whole); otherwise
        nothing is touched. -#}
    {%- if is_incremental() -%}
        {%- set current = sync_current_file_id(this.identifier | replace('stg_sync__', '')) %}
        {#- Two ranges, not <>: an index on file_id answers them without a scan. #}
        delete from {{ this }}
        where file_id < {{ current }} or file_id > {{ current }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
