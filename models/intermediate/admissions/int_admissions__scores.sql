{{ config(
    post_hook=["{{ admissions_drop_displaced_scores() }}"],
    indexes=[
        {'columns': ['file_id']},
        {'columns': ['loaded_at']},
        {'columns': ['score_key']},
        {'columns': ['rebuilt_at']},
        {'columns': ['test_code', 'vendor_person_id', 'component_code']},
    ],
) }}

-- The one admissions score table: every score of every test in long form,
-- person key as the vendor gave it, codes translated, duplicates counted once.
-- Files quarantined for layout drift are left out entirely, and so are
-- fixed-width records of the wrong length in a file that lands.
-- Incremental (delete+insert by file_id, like the rest of the chain): a build
-- reads the scores landed since its newest row. Dedupe across files still
-- holds: a new score whose score_key is already here from an earlier file is
-- left out; a row here from a later file that a new score precedes (a file
-- landed late) is taken out, its file's other rows written again.
{%- set columns = [
    'score_id', 'score_key', 'format_name', 'file_id', 'file_name', 'line_number',
    'loaded_at', 'administration', 'field_name', 'vendor_person_id', 'first_name',
    'middle_name', 'last_name', 'birth_date', 'gender', 'gender_code', 'address_line1',
    'city', 'state', 'state_code', 'zip', 'country', 'country_code', 'email', 'phone', 'ssn',
    'grade_level', 'grade_level_code', 'test_code', 'test_name', 'test_form', 'edition',
    'component_code', 'component', 'component_field_name', 'score', 'test_date',
    'is_official', 'has_error', 'is_out_of_component_range', 'is_component_in_xwalk',
    'is_gender_in_xwalk', 'is_state_in_xwalk', 'is_country_in_xwalk',
    'is_grade_level_in_xwalk',
] %}
with

unpivoted as (

    select * from {{ ref('int_admissions__scores_unpivoted') }}
    where {{ admissions_landed_since() }}

),

quarantined as (

    select distinct file_id from {{ ref('int_admissions__files_quarantined') }}

),

-- Fixed-width records of the wrong length (flagged in mart_score_errors).
wrong_length_records as (

    select
        file_id,
        line_number
    from {{ ref('int_admissions__records') }}
    where
        is_record_length_wrong
        and {{ admissions_landed_since() }}

),

manifest as (

    select * from {{ ref('stg_raw__file_manifest') }}

),

tests as (

    select * from {{ ref('xwalk_admissions__tests') }}

),

ranges as (

    select * from {{ ref('xwalk_admissions__score_ranges') }}

),

field_errors as (

    select distinct
        file_id,
        line_number,
        field_name
    from {{ ref('int_admissions__field_checks') }}
    where
        rule is not null
        and field_name <> '(record)'
        and {{ admissions_landed_since() }}

),

xwalk_genders as (

    {{ admissions_xwalk_rows('xwalk_admissions__genders') }}

),

xwalk_states as (

    {{ admissions_xwalk_rows('xwalk_admissions__states') }}

),

xwalk_countries as (

    {{ admissions_xwalk_rows('xwalk_admissions__countries') }}

),

xwalk_grade_levels as (

    {{ admissions_xwalk_rows('xwalk_admissions__grade_levels') }}

),

translated as (

    -- The code crosswalks as joins (admissions_xwalk_joins), three per crosswalk.
    select
        u.*,
        coalesce(t.target_value, d.target_value) as test_code,
        coalesce(t.test_name, d.test_name) as test_name,
        coalesce(t.is_official, d.is_official) and coalesce(upper(u.is_expired), 'N') <> 'Y' as is_official,
        {{ admissions_xwalk_value('xwalk_genders', 'x_gender', 'u.gender') }} as gender_code,
        {{ admissions_xwalk_value('xwalk_states', 'x_state', 'u.state') }} as state_code,
        {{ admissions_xwalk_value('xwalk_countries', 'x_country', 'u.country') }} as country_code,
        {{ admissions_xwalk_value('xwalk_grade_levels', 'x_grade_level', 'u.grade_level') }} as grade_level_code,
        {{ admissions_xwalk_found('x_gender', 'u.gender') }} as is_gender_in_xwalk,
        {{ admissions_xwalk_found('x_state', 'u.state') }} as is_state_in_xwalk,
        {{ admissions_xwalk_found('x_country', 'u.country') }} as is_country_in_xwalk,
        {{ admissions_xwalk_found('x_grade_level', 'u.grade_level') }} as is_grade_level_in_xwalk
    from unpivoted as u
    left join tests as t
        on
            u.format_name = t.format_name
            and t.source_value = '*'
    left join tests as d
        on
            d.format_name = '*'
            and d.source_value = '*'
    {{ admissions_xwalk_joins('xwalk_genders', 'x_gender', 'u.format_name', 'u.gender') }}
    {{ admissions_xwalk_joins('xwalk_states', 'x_state', 'u.format_name', 'u.state') }}
    {{ admissions_xwalk_joins('xwalk_countries', 'x_country', 'u.format_name', 'u.country') }}
    {{ admissions_xwalk_joins('xwalk_grade_levels', 'x_grade_level', 'u.format_name', 'u.grade_level') }}

),

scored as (

    select
        t.*,
        cast(t.written_score / coalesce(r.divisor, 1) as numeric(7, 1)) as score,
        r.min_score,
        r.max_score,
        coalesce(
            t.written_score / coalesce(r.divisor, 1) not between r.min_score and r.max_score
            or mod(t.written_score / coalesce(r.divisor, 1) - r.min_score, r.score_step) <> 0,
            false
        ) as is_out_of_component_range
    from translated as t
    left join ranges as r
        on
            t.test_code = r.test_code
            and t.component = r.component
            and r.edition in (upper(coalesce(t.edition, '*')), '*')

),

flagged as (

    select
        s.*,
        s.is_out_of_component_range
        or score_error.file_id is not null
        or date_error.file_id is not null
        or id_error.file_id is not null as has_error
    from scored as s
    left join field_errors as score_error
        on
            s.file_id = score_error.file_id
            and s.line_number = score_error.line_number
            and s.field_name = score_error.field_name
    left join field_errors as date_error
        on
            s.file_id = date_error.file_id
            and s.line_number = date_error.line_number
            and s.test_date_field_name = date_error.field_name
    left join field_errors as id_error
        on
            s.file_id = id_error.file_id
            and s.line_number = id_error.line_number
            and s.person_id_field_name = id_error.field_name

),

kept as (

    select
        f.*,
        -- The dedupe key: the same score of the same person, test, component and date.
        md5(
            coalesce('=' || f.test_code, '-') || '|' || coalesce('=' || f.vendor_person_id, '-')
            || '|' || coalesce('=' || f.component_code, '-') || '|'
            || coalesce('=' || cast(f.test_date as {{ dbt.type_string() }}), '-') || '|'
            || coalesce('=' || cast(f.score as {{ dbt.type_string() }}), '-')
        ) as score_key
    from flagged as f
    where
        f.file_id not in (select q.file_id from quarantined as q)
        and not exists (
            select 1 from wrong_length_records as w
            where f.file_id = w.file_id and f.line_number = w.line_number
        )

),

-- The same score of the same person, test, component and date counts once,
-- whether repeated in one file or sent again in another: the first wins.
ranked as (

    select
        k.*,
        row_number() over (
            partition by k.score_key
            order by k.file_id, k.line_number, k.administration
        ) as occurrence
    from kept as k

),

landed as (

    select
        md5(
            r.format_name || '|' || cast(r.file_id as text) || '|'
            || cast(r.line_number as text) || '|' || r.field_name
        ) as score_id,
        m.file_name,
        r.*
    from ranked as r
    left join manifest as m
        on r.file_id = m.file_id
    where r.occurrence = 1

),
{% if is_incremental() %}
    -- The files this build writes; their rows here are replaced.
    batch_files as (

        select distinct file_id from unpivoted

    ),

    -- Rows already here from other files.
    held as (

        select * from {{ this }}
        where file_id not in (select b.file_id from batch_files as b)

    ),

    -- A new score counts unless an earlier file already delivered it.
    new_scores as (

        select l.*
        from landed as l
        where not exists (
            select 1 from held as h
            where h.score_key = l.score_key and h.file_id < l.file_id
        )

    ),

    -- Rows here that a new score precedes (its file landed late): their files'
    -- other rows are written again, without them.
    displaced_files as (

        select distinct h.file_id
        from held as h
        inner join new_scores as n
            on h.score_key = n.score_key
        where h.file_id > n.file_id

    ),

    rewritten as (

        select h.*
        from held as h
        where
            h.file_id in (select d.file_id from displaced_files as d)
            and not exists (
                select 1 from new_scores as n
                where n.score_key = h.score_key and n.file_id < h.file_id
            )

    ),
{% endif %}

-- noqa: disable=LT02
final as (

    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        {{ rebuilt_at() }} as rebuilt_at
    from {{ 'new_scores' if is_incremental() else 'landed' }}
    {%- if is_incremental() %}
    union all
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        {{ rebuilt_at() }} as rebuilt_at
    from rewritten
    {%- endif %}

)

select * from final
