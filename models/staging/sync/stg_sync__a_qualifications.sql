{{ config(indexes=[{'columns': ['file_id']}, {'columns': ['learner_id', 'qualification_code']}]) }}

-- Side A's qualifications of learners as they stand: the lines of the newest a_qualifications file
-- (a full snapshot of side A: a row missing from it no longer exists there),
-- typed; the *_text columns keep what was delivered, for messages.

with

lines as (

    {{ sync_snapshot_lines('a_qualifications', [
        'learner_id',
        'qualification_code',
        'start_date',
        'planned_end_date',
        'actual_end_date',
        'assessor_officer_id',
        'second_assessor_officer_id',
    ]) }}

),

final as (

    select
        learner_id,
        qualification_code,
        {{ parse_date('start_date', forms=['YYYY-MM-DD']) }} as start_date,
        start_date as start_date_text,
        {{ parse_date('planned_end_date', forms=['YYYY-MM-DD']) }} as planned_end_date,
        planned_end_date as planned_end_date_text,
        {{ parse_date('actual_end_date', forms=['YYYY-MM-DD']) }} as actual_end_date,
        actual_end_date as actual_end_date_text,
        assessor_officer_id,
        second_assessor_officer_id,
        file_id,
        line_number,
        parse_error
    from lines

)

select * from final
