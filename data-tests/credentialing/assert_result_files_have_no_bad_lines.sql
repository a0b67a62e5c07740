-- Vendor data quality (warn, failures stored in the audit schema): every line
-- of a result file should be a valid result. The rows are the bad lines.
select
    file_id,
    file_name,
    line_number,
    field,
    field_value,
    reason
from {{ ref('mart_result_errors') }}
