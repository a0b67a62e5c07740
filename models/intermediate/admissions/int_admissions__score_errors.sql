{{ config(
    indexes=[{'columns': ['file_id']}, {'columns': ['loaded_at']}, {'columns': ['rebuilt_at']}],
) }}

-- Every validation failure of every landed admissions record (mart_score_errors
-- shows them), and one row per file checked with no line and no rule: the
-- file's mark, so that a file without errors still tells the next build where
-- to start. Incremental (delete+insert by file_id): a build rewrites the files
-- landed since its newest row, and the files whose scores
-- int_admissions__scores wrote again since (a file landed late can take a
-- score from a later file, and that file's errors on its scores with it).
with
{% if is_incremental() %}
    batch_files as (

        select file_id from {{ ref('int_admissions__records') }}
        where {{ admissions_landed_since() }}
        union
        select file_id from {{ ref('int_admissions__scores') }}
        where {{ admissions_rebuilt_since() }}
        union
        -- A file whose every score a file landed late took over (no score row left).
        select e.file_id from {{ this }} as e
        where
            e.rule in ('not_in_crosswalk', 'out_of_range')
            and not exists (
                select 1 from {{ ref('int_admissions__scores') }} as s
                where s.file_id = e.file_id
            )

    ),
{% endif %}

checks as (

    select * from {{ ref('int_admissions__field_checks') }}
    where
        rule is not null
        and {{ admissions_in_batch() }}

),

scores as (

    select * from {{ ref('int_admissions__scores') }}
    where {{ admissions_in_batch() }}

),

quarantined as (

    select distinct file_id from {{ ref('int_admissions__files_quarantined') }}

),

manifest as (

    select * from {{ ref('stg_raw__file_manifest') }}

),

records as (

    select * from {{ ref('int_admissions__records') }}
    where {{ admissions_in_batch() }}

),

-- A fixed-width record of the wrong length: one row, its length; its fields
-- are not where the layout says, so their own checks are left out.
wrong_lengths as (

    select
        format_name,
        file_id,
        line_number,
        loaded_at,
        'record' as field_name,
        cast(record_length as text) as field_value,
        'record_length' as rule,  -- noqa: RF04
        cast(expected_record_length as text) || ' characters (layout version '
        || layout_version || ')' as rule_detail
    from records
    where is_record_length_wrong

),

-- Person codes are the same on every score row of a record: one error per record.
person_codes as (

    {%- set codes = [('gender', 'xwalk_admissions__genders'), ('state', 'xwalk_admissions__states'),
                     ('country', 'xwalk_admissions__countries'),
                     ('grade_level', 'xwalk_admissions__grade_levels')] %}
    {%- for code, xwalk in codes %}
        select distinct
            format_name,
            file_id,
            line_number,
            loaded_at,
            '{{ code }}' as field_name,
            {{ code }} as field_value,
            'not_in_crosswalk' as rule,  -- noqa: RF04
            '{{ xwalk }}' as rule_detail
        from scores
        where not is_{{ code }}_in_xwalk
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

component_codes as (

    select distinct
        format_name,
        file_id,
        line_number,
        loaded_at,
        component_field_name as field_name,
        component_code as field_value,
        'not_in_crosswalk' as rule,  -- noqa: RF04
        'component crosswalk' as rule_detail
    from scores
    where not is_component_in_xwalk

),

component_ranges as (

    select
        s.format_name,
        s.file_id,
        s.line_number,
        s.loaded_at,
        s.field_name,
        cast(s.score as text) as field_value,
        'out_of_range' as rule,  -- noqa: RF04
        s.test_code || ' ' || s.component || ' (' || coalesce(s.edition, 'any edition')
        || ') per xwalk_admissions__score_ranges' as rule_detail
    from scores as s
    where s.is_out_of_component_range

),

unioned as (

    select
        format_name,
        file_id,
        line_number,
        loaded_at,
        field_name,
        field_value,
        rule,
        rule_detail
    from checks as c
    where
        not exists (
            select 1 from wrong_lengths as w
            where c.file_id = w.file_id and c.line_number = w.line_number
        )
    union all
    select * from wrong_lengths
    union all
    select * from person_codes
    union all
    select * from component_codes
    union all
    select * from component_ranges

),

-- One mark per file checked.
file_marks as (

    select
        max(format_name) as format_name,
        file_id,
        cast(null as bigint) as line_number,
        max(loaded_at) as loaded_at,
        cast(null as text) as field_name,
        cast(null as text) as field_value,
        cast(null as text) as rule,  -- noqa: RF04
        cast(null as text) as rule_detail
    from records
    group by file_id

),

final as (

    select
        md5(
            cast(u.file_id as text) || '|' || cast(u.line_number as text) || '|'
            || u.field_name || '|' || u.rule
        ) as error_id,
        u.format_name,
        u.file_id,
        m.file_name,
        u.line_number,
        u.field_name,
        u.field_value,
        u.rule,
        u.rule_detail,
        u.file_id in (select q.file_id from quarantined as q) as is_file_quarantined,
        u.loaded_at,
        {{ rebuilt_at() }} as rebuilt_at
    from (
        select * from unioned
        union all
        select * from file_marks
    ) as u
    left join manifest as m
        on u.file_id = m.file_id

)

select * from final
