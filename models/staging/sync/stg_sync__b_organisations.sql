{{ config(indexes=[{'columns': ['file_id']}, {'columns': ['org_id']}]) }}

-- Side B's (the assessment platform) employer organisations as they stand: the lines of the newest b_organisations file
-- (a full snapshot of side B: a row missing from it no longer exists there),
-- typed; the *_text columns keep what was delivered, for messages.

with

lines as (

    {{ sync_snapshot_lines('b_organisations', [
        'org_id',
        'name',
        'street1',
        'city',
        'postcode',
        'phone',
    ]) }}

),

final as (

    select
        org_id,
        name,
        street1,
        city,
        postcode,
        phone,
        file_id,
        line_number,
        parse_error
    from lines

)

select * from final
