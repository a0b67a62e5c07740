"""Rows in: text sniffing (encoding, line ends), CSV and fixed-width readers,
and the dlt copy into the raw tables."""
