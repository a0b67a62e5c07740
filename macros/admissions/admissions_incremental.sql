{% macro admissions_landed_since(column='loaded_at') -%}
    {#- The rows an incremental admissions model reads: in an incremental
        build, those landed after the newest row it holds (its watermark,
        max(loaded_at) of {{ this }}); in a first build or a full refresh,
        every row. A file landed again gets a new loaded_at, so it is read
        again, and delete+insert by file_id replaces its rows. -#}
    {%- if is_incremental() -%}
        {{ column }} > (
            select coalesce(max(t.loaded_at), {{ admissions_no_watermark() }})
            from {{ this }} as t
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}


{% macro admissions_no_watermark() -%}
    {#- Before any landing: every loaded_at is later. -#}
    cast('1900-01-01' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{% macro admissions_rebuilt_since(column='rebuilt_at') -%}
    {#- In an incremental build: the rows of the model read that its own build
        rewrote after this model's newest row (both stamp rebuilt_at with the
        database's clock, rebuilt_at()); every row otherwise. -#}
    {%- if is_incremental() -%}
        {{ column }} > (
            select coalesce(max(t.rebuilt_at), {{ admissions_no_watermark() }})
            from {{ this }} as t
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}


{% macro admissions_drop_displaced_scores() -%}
    {#- Post-hook of int_admissions__scores in an incremental build: a score
        that this build wrote (the newest rebuilt_at) and that a row of a
        later file also holds is kept once, in the earlier file: the later
        file's row goes. The model's select already rewrote those files'
        other rows; this delete also covers a later file left with no row. -#}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where
            score_key in (
                select n.score_key from {{ this }} as n
                where n.rebuilt_at = (select max(m.rebuilt_at) from {{ this }} as m)
            )
            and exists (
                select 1 from {{ this }} as e
                where
                    e.score_key = {{ this }}.score_key
                    and e.file_id < {{ this }}.file_id
            )
    {%- endif -%}
{%- endmacro %}


{% macro admissions_in_batch(column='file_id') -%}
    {#- In an incremental build: the row's file is one of the model's
        batch_files CTE; always true otherwise. -#}
    {%- if is_incremental() -%}
        {{ column }} in (select b.file_id from batch_files as b)
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}


{% macro admissions_changed_components(alias) -%}
    {#- mart_scores_by_person in an incremental build: the row's test
        component of a person is one of the `changed` CTE; always true
        otherwise. -#}
    {%- if is_incremental() -%}
        exists (
            select 1 from changed as c
            where
                c.test_code = {{ alias }}.test_code
                and c.vendor_person_id = {{ alias }}.vendor_person_id
                and c.component_code = {{ alias }}.component_code
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}
