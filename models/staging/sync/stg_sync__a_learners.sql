{{ config(indexes=[{'columns': ['file_id']}, {'columns': ['learner_id']}]) }}

-- Side A's learners as they stand: the lines of the newest a_learners file
-- (a full snapshot of side A: a row missing from it no longer exists there),
-- typed; the *_text columns keep what was delivered, for messages.

with

lines as (

    {{ sync_snapshot_lines('a_learners', [
        'learner_id',
        'lrn',
        'uln',
        'first_name',
        'last_name',
        'birth_date',
        'gender',
        'ethnicity',
        'disability',
        'email',
        'phone',
        'street1',
        'city',
        'postcode',
        'employer_org_id',
        'risk',
        'b_learner_id',
    ]) }}

),

final as (

    select
        learner_id,
        lrn,
        uln,
        first_name,
        last_name,
        {{ parse_date('birth_date', forms=['YYYY-MM-DD']) }} as birth_date,
        birth_date as birth_date_text,
        gender,
        ethnicity,
        disability,
        email,
        phone,
        street1,
        city,
        postcode,
        employer_org_id,
        {{ parse_decimal('risk') }} as risk,
        risk as risk_text,
        b_learner_id,
        file_id,
        line_number,
        parse_error
    from lines

)

select * from final
