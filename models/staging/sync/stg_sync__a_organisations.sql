{{ config(indexes=[{'columns': ['file_id']}, {'columns': ['org_id']}]) }}

-- Side A's (the provider's system) employer organisations as they stand: the lines of the newest a_organisations file
-- (a full snapshot of side A: a row missing from it no longer exists there),
-- typed; the *_text columns keep what was delivered, for messages.

with

lines as (

    {{ sync_snapshot_lines('a_organisations', [
        'org_id',
        'name',
        'street1',
        'city',
        'postcode',
        'phone',
        'b_org_id',
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
        b_org_id,
        file_id,
        line_number,
        parse_error
    from lines

)

select * from final
