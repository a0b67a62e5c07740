"""Score evaluation per matched person (docs/evaluation.md): the files and
mails of its models, here the same-date test date changes."""
