{{ config(indexes=[{'columns': ['file_id']}, {'columns': ['officer_id']}]) }}

-- Side B's officers (assessors) as they stand: the lines of the newest b_officers file
-- (a full snapshot of side B: a row missing from it no longer exists there),
-- typed; the *_text columns keep what was delivered, for messages.

with

lines as (

    {{ sync_snapshot_lines('b_officers', [
        'officer_id',
        'first_name',
        'last_name',
        'email',
        'phone',
    ]) }}

),

final as (

    select
        officer_id,
        first_name,
        last_name,
        email,
        phone,
        file_id,
        line_number,
        parse_error
    from lines

)

select * from final
