{{ config(materialized='table') }}

-- Every problem the certification migration finds in the legacy extract, one
-- row per problem. Errors stop the migration; warnings are listed and the
-- record still migrates (docs/certification-migration.md).

{%- set today = 'cast(' ~ dbt.current_timestamp() ~ ' as date)' %}
{#- The registration checks, once: each is a problem row where its condition
    holds; flagged_registrations keeps the lines failing any of them, so the
    two million lines of a large extract are read once, not once per check. #}
{%- set about = ["'Registration for component '", cert_quoted('component_code'), "', student id '",
                 cert_quoted('student_id'), "' and program '", cert_quoted('program_code'),
                 "' (SEQN '", "seqn", "')'"] %}
{%- set registration_checks = [
    {'severity': 'error', 'kind': 'unreadable_line', 'key': 'cast(null as ' ~ dbt.type_string() ~ ')',
     'parts': ["'Line could not be read: '", 'parse_error', "'.'"], 'where': 'parse_error is not null'},
    {'severity': 'error', 'kind': 'missing_field', 'key': 'seqn',
     'parts': ["'Registration line has no SEQN.'"], 'where': 'parse_error is null and seqn is null'},
] %}
{%- for field, label in [('student_id', 'student id'), ('program_code', 'program code'),
                         ('component_code', 'component code'), ('registered_on_text', 'registration date'),
                         ('status_text', 'status')] %}
    {%- do registration_checks.append({'severity': 'error', 'kind': 'missing_field', 'key': 'seqn',
        'parts': ["'Registration (SEQN '", 'seqn', "') has no " ~ label ~ ".'"],
        'where': 'seqn is not null and ' ~ field ~ ' is null'}) %}
{%- endfor %}
{%- do registration_checks.extend([
    {'severity': 'error', 'kind': 'missing_field', 'key': 'seqn',
     'parts': about + ["' is Completed but has no completion date.'"],
     'where': "seqn is not null and status = 'Completed' and completed_on_text is null"},
    {'severity': 'error', 'kind': 'invalid_value', 'key': 'seqn',
     'parts': about + ["' has status '", cert_quoted('status_text'), "'; expected Registered, Completed or Cancelled.'"],
     'where': 'seqn is not null and status_text is not null and status is null'},
    {'severity': 'error', 'kind': 'invalid_value', 'key': 'seqn',
     'parts': about + ["' has credits '", cert_quoted('credits_text'), "', which is not a number.'"],
     'where': 'seqn is not null and credits_text is not null and credits is null'},
]) %}
{%- for field, label in [('registered_on', 'registration date'), ('completed_on', 'completion date')] %}
    {%- do registration_checks.extend([
        {'severity': 'error', 'kind': 'date_unreadable', 'key': 'seqn',
         'parts': about + ["' has " ~ label ~ " '", cert_quoted(field ~ '_text'),
                           "', which is not a date (YYYY-MM-DD or MM/DD/YYYY).'"],
         'where': 'seqn is not null and ' ~ field ~ '_text is not null and ' ~ field ~ ' is null'},
        {'severity': 'error', 'kind': 'date_in_future', 'key': 'seqn',
         'parts': about + ["' has " ~ label ~ " '", cert_quoted(field ~ '_text'), "', which is in the future.'"],
         'where': 'seqn is not null and ' ~ field ~ ' > ' ~ today},
    ]) %}
{%- endfor %}
{%- do registration_checks.extend([
    {'severity': 'error', 'kind': 'completed_before_registered', 'key': 'seqn',
     'parts': about + ["' was completed on '", cert_quoted('completed_on_text'), "', before it was registered on '",
                       cert_quoted('registered_on_text'), "'.'"],
     'where': 'seqn is not null and completed_on < registered_on'},
    {'severity': 'error', 'kind': 'unknown_program', 'key': 'seqn',
     'parts': about + ["', but there is no such program.'"],
     'where': 'seqn is not null and program_code is not null and known_program_code is null'},
    {'severity': 'error', 'kind': 'unknown_component', 'key': 'seqn',
     'parts': about + ["', but there is no such component.'"],
     'where': 'seqn is not null and component_code is not null and known_component_code is null'},
    {'severity': 'error', 'kind': 'duplicate_seqn', 'key': 'seqn',
     'parts': ["'SEQN '", 'seqn', "' is on more than one line of its file.'"],
     'where': 'seqn is not null and lines_with_key > 1'},
    {'severity': 'warning', 'kind': 'component_not_in_program', 'key': 'seqn',
     'parts': ["'Registration found for component '", cert_quoted('component_code'), "', student id '",
               cert_quoted('student_id'), "' and program '", cert_quoted('program_title'), "' (SEQN '", 'seqn',
               "'), but the program does not contain this component.'"],
     'where': 'seqn is not null and known_program_code is not null and known_component_code is not null '
              ~ 'and contained_program_code is null'},
    {'severity': 'warning', 'kind': 'completion_ignored', 'key': 'seqn',
     'parts': about + ["' is '", 'status', "' but has a completion date or grade; they are not migrated.'"],
     'where': "seqn is not null and status in ('Registered', 'Cancelled') "
              ~ 'and (completed_on_text is not null or grade is not null)'},
    {'severity': 'warning', 'kind': 'completed_without_grade', 'key': 'seqn',
     'parts': about + ["' is Completed but has no grade; it migrates as completed without one.'"],
     'where': "seqn is not null and status = 'Completed' and grade is null"},
]) %}

with

programs as (

    select
        *,
        count(*) over (partition by program_code) as lines_with_key
    from {{ ref('stg_legacy_cert__programs') }}

),

components as (

    select
        *,
        count(*) over (partition by component_code) as lines_with_key
    from {{ ref('stg_legacy_cert__components') }}

),

known_programs as (

    -- A program is known when any current line has its code, even a line
    -- with an error of its own (that error is reported once, there).
    select
        program_code,
        max(title) as title
    from programs
    where program_code is not null
    group by program_code

),

known_components as (

    select distinct component_code from components
    where component_code is not null

),

links as (

    select
        l.*,
        count(*) over (partition by l.program_code, l.component_code) as lines_with_key,
        p.program_code as known_program_code,
        c.component_code as known_component_code
    from {{ ref('stg_legacy_cert__program_components') }} as l
    left join known_programs as p
        on l.program_code = p.program_code
    left join known_components as c
        on l.component_code = c.component_code

),

temporary_additions as (

    select
        t.program_code,
        t.component_code,
        p.program_code as known_program_code,
        c.component_code as known_component_code,
        cast(null as {{ dbt.type_bigint() }}) as file_id,
        cast(null as {{ dbt.type_bigint() }}) as line_number
    from {{ ref('cert_temporary_program_components') }} as t
    left join known_programs as p
        on t.program_code = p.program_code
    left join known_components as c
        on t.component_code = c.component_code

),

contained as (

    select
        program_code,
        component_code
    from links
    where program_code is not null and component_code is not null
    union
    select
        program_code,
        component_code
    from temporary_additions

),

registrations as (

    select
        r.*,
        p.title as program_title,
        p.program_code as known_program_code,
        c.component_code as known_component_code,
        k.program_code as contained_program_code
    from {{ ref('stg_legacy_cert__registrations') }} as r
    left join known_programs as p
        on r.program_code = p.program_code
    left join known_components as c
        on r.component_code = c.component_code
    left join contained as k
        on r.program_code = k.program_code and r.component_code = k.component_code

),

flagged_registrations as (

    select * from registrations
    where {{ '(' ~ (registration_checks | map(attribute='where') | join(') or (')) ~ ')' }}

),

found as (

        -- Lines that did not parse, in the three small files (registrations: below).
    {%- for cte, fmt in [('programs', 'legacy_cert_programs'), ('components', 'legacy_cert_components'),
                         ('links', 'legacy_cert_program_components')] %}
    {{ cert_problem('error', 'unreadable_line', fmt, 'cast(null as ' ~ dbt.type_string() ~ ')',
        ["'Line could not be read: '", 'parse_error', "'.'"], cte, 'parse_error is not null') }}
        union all
    {%- endfor %}

    -- Programs.
    {{ cert_problem('error', 'missing_field', 'legacy_cert_programs', 'program_code',
        ["'Program line has no program code.'"], 'programs',
        'parse_error is null and program_code is null') }}
    union all
    {{ cert_problem('error', 'missing_field', 'legacy_cert_programs', 'program_code',
        ["'Program '", cert_quoted('program_code'), "' has no title.'"], 'programs',
        'program_code is not null and title is null') }}
    union all
    {{ cert_problem('error', 'invalid_value', 'legacy_cert_programs', 'program_code',
        ["'Program '", cert_quoted('program_code'), "' has is_active '", cert_quoted('is_active_text'),
         "'; expected Y or N.'"], 'programs',
        'program_code is not null and is_active is null') }}
    union all
    {{ cert_problem('error', 'duplicate_key', 'legacy_cert_programs', 'program_code',
        ["'Program '", cert_quoted('program_code'), "' is on more than one line of its file.'"],
        'programs', 'program_code is not null and lines_with_key > 1') }}
    union all

    -- Components.
    {{ cert_problem('error', 'missing_field', 'legacy_cert_components', 'component_code',
        ["'Component line has no component code.'"], 'components',
        'parse_error is null and component_code is null') }}
    union all
    {{ cert_problem('error', 'missing_field', 'legacy_cert_components', 'component_code',
        ["'Component '", cert_quoted('component_code'), "' has no title.'"], 'components',
        'component_code is not null and title is null') }}
    union all
    {{ cert_problem('error', 'invalid_value', 'legacy_cert_components', 'component_code',
        ["'Component '", cert_quoted('component_code'), "' has credits '", cert_quoted('credits_text'),
         "', which is not a number.'"], 'components',
        'component_code is not null and credits_text is not null and credits is null') }}
    union all
    {{ cert_problem('error', 'duplicate_key', 'legacy_cert_components', 'component_code',
        ["'Component '", cert_quoted('component_code'), "' is on more than one line of its file.'"],
        'components', 'component_code is not null and lines_with_key > 1') }}
    union all

    -- Program-component links.
    {%- set link_key = dbt.concat(["coalesce(program_code, '')", "'/'", "coalesce(component_code, '')"]) %}
    {{ cert_problem('error', 'missing_field', 'legacy_cert_program_components', link_key,
        ["'Program-component line has no program code or no component code.'"], 'links',
        'parse_error is null and (program_code is null or component_code is null)') }}
    union all
    {{ cert_problem('error', 'unknown_program', 'legacy_cert_program_components', link_key,
        ["'Program '", cert_quoted('program_code'), "' links component '", cert_quoted('component_code'),
         "', but there is no such program.'"], 'links',
        'program_code is not null and component_code is not null and known_program_code is null') }}
    union all
    {{ cert_problem('error', 'unknown_component', 'legacy_cert_program_components', link_key,
        ["'Program '", cert_quoted('program_code'), "' links component '", cert_quoted('component_code'),
         "', but there is no such component.'"], 'links',
        'program_code is not null and component_code is not null and known_component_code is null') }}
    union all
    {{ cert_problem('error', 'invalid_value', 'legacy_cert_program_components', link_key,
        ["'Program '", cert_quoted('program_code'), "' links component '", cert_quoted('component_code'),
         "' with required '", cert_quoted('required_text'), "'; expected Y or N.'"], 'links',
        'program_code is not null and component_code is not null and is_required is null') }}
    union all
    {{ cert_problem('error', 'invalid_value', 'legacy_cert_program_components', link_key,
        ["'Program '", cert_quoted('program_code'), "' links component '", cert_quoted('component_code'),
         "' with sequence '", cert_quoted('sequence_text'), "', which is not a whole number.'"], 'links',
        'program_code is not null and component_code is not null and sequence_number is null') }}
    union all
    {{ cert_problem('error', 'duplicate_key', 'legacy_cert_program_components', link_key,
        ["'Program '", cert_quoted('program_code'), "' links component '", cert_quoted('component_code'),
         "' on more than one line of its file.'"], 'links',
        'program_code is not null and component_code is not null and lines_with_key > 1') }}
    union all

    -- Temporary program-component additions (the seed).
    {%- set seed_key = dbt.concat(['program_code', "'/'", 'component_code']) %}
    {{ cert_problem('error', 'unknown_program', 'cert_temporary_program_components', seed_key,
        ["'Temporary addition of component '", cert_quoted('component_code'), "' to program '",
         cert_quoted('program_code'), "', but there is no such program.'"], 'temporary_additions',
        'known_program_code is null') }}
    union all
    {{ cert_problem('error', 'unknown_component', 'cert_temporary_program_components', seed_key,
        ["'Temporary addition of component '", cert_quoted('component_code'), "' to program '",
         cert_quoted('program_code'), "', but there is no such component.'"], 'temporary_additions',
        'known_component_code is null') }}
    union all

    -- Registrations: each check of registration_checks (top of this model), over
    -- the lines that fail at least one.
    {%- set registration_problems = [] %}
    {%- for check in registration_checks %}
        {%- do registration_problems.append(cert_problem(
            check.severity, check.kind, 'legacy_cert_registrations', check.key, check.parts,
            'flagged_registrations', check.where)) %}
    {%- endfor %}
    {{ registration_problems | join('\n    union all\n    ') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'f.problem_kind', "'|'", 'f.source_format', "'|'",
            "coalesce(cast(f.file_id as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(cast(f.line_number as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(f.record_key, '')", "'|'", 'f.message',
        ])) }} as problem_id,
        f.severity,
        f.problem_kind,
        f.source_format,
        f.file_id,
        m.file_name,
        f.line_number,
        f.record_key,
        f.message
    from found as f
    left join {{ ref('stg_raw__file_manifest') }} as m
        on f.file_id = m.file_id

)

select * from final
