with

checks as (

    select * from {{ ref('int_admissions__field_checks') }}
    where rule is not null

),

scores as (

    select * from {{ ref('int_admissions__scores') }}

),

quarantined as (

    select distinct file_id from {{ ref('int_admissions__files_quarantined') }}

),

manifest as (

    select * from {{ ref('stg_raw__file_manifest') }}

),

records as (

    select * from {{ ref('int_admissions__records') }}

),

-- A fixed-width record of the wrong length: one row, its length; its fields
-- are not where the layout says, so their own checks are left out.
wrong_lengths as (

    select
        format_name,
        file_id,
        line_number,
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
        u.file_id in (select q.file_id from quarantined as q) as is_file_quarantined
    from unioned as u
    left join manifest as m
        on u.file_id = m.file_id

)

select * from final
