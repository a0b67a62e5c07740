{{ config(indexes=[{'columns': ['file_id']}, {'columns': ['b_learner_id']}]) }}

-- Side B's learners as they stand: the lines of the newest b_learners file
-- (a full snapshot of side B: a row missing from it no longer exists there),
-- typed; the *_text columns keep what was delivered, for messages.

with

lines as (

    {{ sync_snapshot_lines('b_learners', [
        'b_learner_id',
        'student_id',
        'first_name',
        'last_name',
        'birth_date',
        'gender',
        'ethnicity',
        'email',
        'phone',
        'street1',
        'city',
        'postcode',
        'employer_b_org_id',
        'coach_risk_score',
    ]) }}

),

final as (

    select
        b_learner_id,
        student_id,
        first_name,
        last_name,
        {{ parse_date('birth_date', forms=['YYYY-MM-DD']) }} as birth_date,
        birth_date as birth_date_text,
        gender,
        ethnicity,
        email,
        phone,
        street1,
        city,
        postcode,
        employer_b_org_id,
        {{ parse_decimal('coach_risk_score') }} as coach_risk_score,
        coach_risk_score as coach_risk_score_text,
        file_id,
        line_number,
        parse_error
    from lines

)

select * from final
