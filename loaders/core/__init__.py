"""The floor every room stands on: configuration, the database and its locks,
the base error, paths, formats, logging and the console, and what every CLI
module shares. Imports nothing above it."""
