-- What the sync marts are built from, as one fingerprint: the newest landed
-- file of each a_* and b_* format and every sync setting. A sync mart whose
-- rows carry this fingerprint is current; an incremental build of it then
-- reads nothing and writes nothing (docs/sync.md, "A second run").

{%- set formats = ['a_learners', 'b_learners', 'a_officers', 'b_officers',
                   'a_organisations', 'b_organisations', 'a_qualifications',
                   'b_qualifications'] %}
{%- set parts = [] %}
{%- for f in formats %}
    {%- do parts.append("'|" ~ f ~ "='") %}
    {%- do parts.append("coalesce(cast(" ~ f ~ "_file_id as " ~ dbt.type_string() ~ "), '-')") %}
{%- endfor %}
{%- do parts.append("'|'") %}
{%- do parts.append(sync_settings_text()) %}

with

newest as (

    -- The file of each format's current snapshot (sync_snapshot_lines reads it).
    select
    {%- for f in formats %}
        {{ sync_current_file_id(f) }} as {{ f }}_file_id{{ ',' if not loop.last }}  -- noqa: LT02
    {%- endfor %}

),

final as (

    select
        {{ dbt.concat(parts) }} as fingerprint
    from newest

)

select * from final
