{% macro rebuilt_at() -%}
    {#- When the model's statement ran (the database's clock): stamped on every
        row an incremental credentialing model writes, so the models built
        after it (later, by the same clock) pick up exactly the rows it
        rewrote. -#}
    current_timestamp
{%- endmacro %}


{% macro credentialing_rematched_results() -%}
    {#- The results whose match int_credentialing__result_matches rewrote since
        this model's newest row: the rows an incremental model downstream of
        the matches recomputes. Only meaningful inside is_incremental(). -#}
    select m.result_id
    from {{ ref('int_credentialing__result_matches') }} as m
    where m.rebuilt_at > (
        select coalesce(max(t.rebuilt_at), '-infinity') from {{ this }} as t
    )
{%- endmacro %}


{% macro credentialing_forget_rematched_results() -%}
    {#- Pre-hook of the models whose rows may disappear when a result is
        matched again (anomalies, status changes): deletes the rows of those
        results, so the insert that follows holds their whole new state.
        The model must select the same results (credentialing_rematched_results);
        as this delete can only lower the model's newest row, the select then
        covers at least every result deleted here. -#}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where result_id in ({{ credentialing_rematched_results() }})
    {%- endif -%}
{%- endmacro %}


{% macro refresh_statistics() -%}
    {#- Post-hook of the incremental credentialing models: fresh planner
        statistics right after the write, so the next model's plan sees the
        rows just added (without them PostgreSQL estimates a freshly merged
        table badly until autovacuum comes by). -#}
    {{ return(adapter.dispatch('refresh_statistics')()) }}
{%- endmacro %}


{% macro default__refresh_statistics() -%}
{%- endmacro %}


{% macro postgres__refresh_statistics() -%}
    analyze {{ this }}
{%- endmacro %}
