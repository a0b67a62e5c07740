"""The certification migration: legacy programs, components and registrations
published into the new model (schema certification) in resumable batches,
and the import files of the new model (docs/certification-migration.md)."""
