{% macro sync_action(mode) -%}
    {#- The action a mode implies for a differing field, as a SQL literal:
        'push' (side A's value goes to B), 'pull' (B's value goes to A) or
        'report' (listed only: mode none, or the integration not enabled). -#}
    {%- if not var('sync_enabled') or mode == 'none' -%}
        'report'
    {%- elif mode in ('push', 'pull') -%}
        '{{ mode }}'
    {%- else -%}
        {{ exceptions.raise_compiler_error("sync: mode " ~ mode ~ " is not none, push or pull") }}
        {#- (unreached in dbt; the linter's stub of the error returns) -#}
        'report'
    {%- endif -%}
{%- endmacro %}


{% macro sync_switch_action(enabled, mode) -%}
    {#- A field a setting switches on: the mode's action when on, 'report' when off. -#}
    {%- if enabled -%}{{ sync_action(mode) }}{%- else -%}'report'{%- endif -%}
{%- endmacro %}


{% macro sync_settings_text() -%}
    {#- Every sync setting as one text, so a changed setting rebuilds the sync marts. -#}
    {%- set names = ['sync_enabled', 'sync_learner_mode', 'sync_officer_mode',
                     'sync_organisation_mode', 'sync_qualification_dates_mode',
                     'sync_update_gender', 'sync_update_ethnicity', 'sync_send_disability',
                     'sync_student_id_from_lrn', 'sync_risk_from_coach',
                     'sync_push_employer_changes', 'sync_push_assessor_changes',
                     'sync_second_assessor_role', 'sync_welcome_email', 'sync_create_sso_users'] -%}
    {%- set parts = [] -%}
    {%- for name in names -%}{%- do parts.append(name ~ '=' ~ var(name)) -%}{%- endfor -%}
    '{{ parts | join(";") }}'
{%- endmacro %}


{% macro sync_differs(a, b) -%}
    {#- Null-safe: the two values differ (one null and not the other, or unequal). -#}
    (({{ a }} is null and {{ b }} is not null) or ({{ a }} is not null and {{ b }} is null)
     or {{ a }} <> {{ b }})
{%- endmacro %}


{% macro sync_inputs_changed() -%}
    {#- In an incremental build of a sync mart: true when the inputs (the
        current file of each a_* and b_* format, the settings) are not those
        of the last build of the three marts (int_sync__built_inputs, written
        after them; read by name, as it depends on the marts). Outside an
        incremental build, or before any marker: true. -#}
    {%- set marker = adapter.get_relation(database=this.database, schema='intermediate',
                                          identifier='int_sync__built_inputs') if execute else none -%}
    {%- if is_incremental() and marker is not none -%}
        (select fingerprint from {{ ref('int_sync__inputs') }})
            <> coalesce((select max(fingerprint) from {{ marker }}), '')
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}


{% macro sync_drop_stale_rows() -%}
    {#- Pre-hook of the sync marts: when the inputs changed (sync_inputs_changed,
        the same test the build's select makes), every row goes (the marts
        describe today's extracts as a whole); when they did not, nothing is
        touched and the build inserts nothing. -#}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ sync_inputs_changed() }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
