-- What the drift rules and the load audit count, per admissions file: its
-- lines, the fixed-width records of the wrong length, and the share of its
-- dates and scores that do not parse. One row per file with at least one
-- landed line. Incremental (delete+insert by file_id): a build counts the
-- files landed since its newest row, so the quarantine rules
-- (int_admissions__files_quarantined) never read the whole history.
with

records as (

    select * from {{ ref('int_admissions__records') }}
    where {{ admissions_landed_since() }}

),

checks as (

    select
        file_id,
        count(*) as checked_values,
        sum(
            case when rule in ('not_a_date', 'not_an_integer', 'not_a_number') then 1 else 0 end
        ) as unparsed_values
    from {{ ref('int_admissions__field_checks') }}
    where
        data_type in ('date', 'integer', 'numeric')
        and {{ admissions_landed_since() }}
    group by file_id

),

lines as (

    select
        file_id,
        max(format_name) as format_name,
        max(loaded_at) as loaded_at,
        count(*) as rows_read,
        sum(case when parse_error is null then 1 else 0 end) as rows_parsed,
        sum(
            case when record_length > 0 and expected_record_length is not null then 1 else 0 end
        ) as length_checked_records,
        sum(case when is_record_length_wrong then 1 else 0 end) as wrong_length_records,
        min(case when is_record_length_wrong then line_number end) as first_wrong_length_line
    from records
    group by file_id

),

final as (

    select
        l.file_id,
        l.format_name,
        l.loaded_at,
        l.rows_read,
        l.rows_parsed,
        l.length_checked_records,
        l.wrong_length_records,
        l.first_wrong_length_line,
        coalesce(c.checked_values, 0) as checked_values,
        coalesce(c.unparsed_values, 0) as unparsed_values
    from lines as l
    left join checks as c
        on l.file_id = c.file_id

)

select * from final
