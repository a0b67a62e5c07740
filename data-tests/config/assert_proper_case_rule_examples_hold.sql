-- What: rules of seeds/matching/matching_proper_case_rules.csv whose example
-- (example_in) does not come out as example_out through proper_case_rows, for
-- each kind of value the rule applies to.
-- When it matters: a rule was added or changed and it, or the order the rules
-- are taken in (docs/proper-case.md), does not do what its row says: new
-- persons' names and addresses would be written wrong. An error, not a
-- warning: the seed is ours, not vendor data.
-- How to resolve: fix the rule (token, replacement, applies_to) or its
-- example; if another rule takes the part first, make the example show that.
{{ config(severity='error') }}

with

rules as (

    select * from {{ ref('matching_proper_case_rules') }}

),

examples as (

    select
        {{ dbt.concat(['rule', "':'", 'token']) }} as rule_id,
        applies_to,
        example_in,
        example_out
    from rules

),

given_name_examples as (

    select * from examples
    where {{ dbt.position("' given_name '", dbt.concat(["' '", 'applies_to', "' '"])) }} > 0

),

surname_examples as (

    select * from examples
    where {{ dbt.position("' surname '", dbt.concat(["' '", 'applies_to', "' '"])) }} > 0

),

address_examples as (

    select * from examples
    where {{ dbt.position("' address '", dbt.concat(["' '", 'applies_to', "' '"])) }} > 0

),

given_names_cased as (
    {{ proper_case_rows('given_name_examples', 'rule_id', ['example_in'], 'given_name') }}
),

surnames_cased as (
    {{ proper_case_rows('surname_examples', 'rule_id', ['example_in'], 'surname') }}
),

addresses_cased as (
    {{ proper_case_rows('address_examples', 'rule_id', ['example_in'], 'address') }}
),

cased as (

    select
        rule_id,
        'given_name' as kind,
        example_in as example_cased
    from given_names_cased
    union all
    select
        rule_id,
        'surname' as kind,
        example_in as example_cased
    from surnames_cased
    union all
    select
        rule_id,
        'address' as kind,
        example_in as example_cased
    from addresses_cased

)

select
    examples.rule_id,
    cased.kind,
    examples.example_in,
    examples.example_out,
    cased.example_cased
from examples
inner join cased
    on examples.rule_id = cased.rule_id
where cased.example_cased is null or cased.example_cased <> examples.example_out
