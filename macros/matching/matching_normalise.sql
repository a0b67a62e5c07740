{#- Normalising person fields for matching: the same expressions for the
    incoming records and the organisation's persons, so a value compares
    equal on both sides. Regular expressions differ between databases: each
    is an adapter.dispatch macro with a Postgres implementation and a
    default for Spark-like engines. -#}

{% macro matching_replace_pattern(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('matching_replace_pattern', 'scorebridge')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__matching_replace_pattern(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{% macro postgres__matching_replace_pattern(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}


{% macro matching_fold(expr) -%}
    {#- Lower case, accents removed (García = garcia, Østergaard = ostergaard,
        Straße = strasse). -#}
    replace(replace(replace(replace(translate(lower({{ expr }}),
        'àáâãäåāăąçćčďđèéêëēėęěğìíîïīįıłñńňòóôõöøōőŕřśšşťùúûüūůűųýÿźżžþ',
        'aaaaaaaaacccddeeeeeeeeegiiiiiiilnnnoooooooorrsssstuuuuuuuuyyzzzt'),
        'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'ð', 'd')
{%- endmacro %}


{% macro matching_words(expr) -%}
    {#- Folded, every run of characters that are not letters one space,
        trimmed: "O'Brien-Smith" is "o brien smith". -#}
    trim({{ matching_replace_pattern(matching_fold(expr), '[^a-z]+', ' ') }})
{%- endmacro %}


{% macro matching_name_key(expr) -%}
    {#- A name as letters only ("Van der Berg" = "vanderberg", "O'Brien" =
        "obrien"); "Saint" at the start is written "st" (St. John = Saint
        John); null when nothing is left. -#}
    nullif(
        {{ matching_replace_pattern(
            matching_replace_pattern(matching_fold(expr), '[^a-z]', ''), '^saint', 'st') }},
        ''
    )
{%- endmacro %}


{% macro matching_digits(expr) -%}
    nullif({{ matching_replace_pattern(expr, '[^0-9]', '') }}, '')
{%- endmacro %}


{% macro matching_keys(cte) -%}
    {#- First step of normalising: the costly expressions (regular
        expressions), once each, over a CTE with the person columns
        first_name, middle_name, last_name, birth_date, gender, email, phone,
        ssn, street, zip; every other column kept. matching_normalised
        derives the rest from these. -#}
    select
        {{ cte }}.*,
        {{ matching_name_key('first_name') }} as first_key,
        {{ matching_name_key('middle_name') }} as middle_key,
        {{ matching_name_key('last_name') }} as last_key,
        {{ matching_words('last_name') }} as last_words,
        {{ matching_date_text('birth_date') }} as birth_text,
        {{ matching_digits('ssn') }} as ssn_digits,
        nullif(lower(trim(email)), '') as email_key,
        {{ matching_digits('phone') }} as phone_key,
        nullif({{ matching_replace_pattern(matching_fold('street'), '[^a-z0-9]', '') }}, '')
            as street_key,
        substr({{ matching_digits('zip') }}, 1, 5) as zip5
    from {{ cte }}
{%- endmacro %}


{% macro matching_normalised(cte) -%}
    {#- The compared and blocking columns, from a CTE made by matching_keys. -#}
    select
        {{ cte }}.*,
        nullif({{ dbt.split_part('last_words', "' '", 1) }}, '') as last_part_first,
        nullif({{ dbt.split_part('last_words', "' '", -1) }}, '') as last_part_last,
        substr(first_key, 1, 1) as first_initial,
        substr(last_key, 1, 1) as last_initial,
        substr(birth_text, 1, 4) as birth_year,
        substr(birth_text, 1, 4) || substr(birth_text, 7, 2) || substr(birth_text, 5, 2)
            as birth_swapped,
        case
            when ssn_digits like '_________'
                and ssn_digits not like '000%'
                and ssn_digits not in ('111111111', '123456789', '999999999')
                then ssn_digits
        end as ssn_key,
        case
            when upper(trim(gender)) in ('M', 'MALE') then 'M'
            when upper(trim(gender)) in ('F', 'FEMALE') then 'F'
        end as gender_key
    from {{ cte }}
{%- endmacro %}


{% macro matching_date_text(expr) -%}
    {#- A date as YYYYMMDD text (for digit comparisons and blocking keys). -#}
    {{ return(adapter.dispatch('matching_date_text', 'scorebridge')(expr)) }}
{%- endmacro %}

{% macro default__matching_date_text(expr) -%}
    date_format({{ expr }}, 'yyyyMMdd')
{%- endmacro %}

{% macro postgres__matching_date_text(expr) -%}
    to_char({{ expr }}, 'YYYYMMDD')
{%- endmacro %}


{% macro matching_address_text(street, city, state, zip) -%}
    {#- An address on one line ("1 Main St, Springfield, IL 62701"), parts
        that are missing left out. -#}
    trim(
        coalesce({{ street }}, '')
        || case when {{ city }} is not null then ', ' || {{ city }} else '' end
        || case when {{ state }} is not null then ', ' || {{ state }} else '' end
        || case when {{ zip }} is not null then ' ' || {{ zip }} else '' end
    )
{%- endmacro %}
