-- The organisation's own files: every problem of every landed line, with the
-- file's name (the rules: int_org_file_lines_checked).
{{ error_rows(ref('int_org_file_lines_checked'), carry=['format_name']) }}
