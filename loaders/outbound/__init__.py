"""Files out: CSV with formulas neutralised, and the one recorded export every
domain uses (lock, select from an outbound model, write, hash, record, upload,
clean up)."""
