{{ config(indexes=[{'columns': ['file_id']}, {'columns': ['officer_id']}]) }}

-- Side A's officers (assessors) as they stand: the lines of the newest a_officers file
-- (a full snapshot of side A: a row missing from it no longer exists there),
-- typed; the *_text columns keep what was delivered, for messages.

with

lines as (

    {{ sync_snapshot_lines('a_officers', [
        'officer_id',
        'first_name',
        'last_name',
        'email',
        'phone',
        'b_officer_id',
    ]) }}

),

final as (

    select
        officer_id,
        first_name,
        last_name,
        email,
        phone,
        b_officer_id,
        file_id,
        line_number,
        parse_error
    from lines

)

select * from final
