"""Files in with custody: transports (SFTP, FTP/FTPS, HTTPS, local), PGP, and
the fetch pipeline that downloads, verifies, archives, records and lands."""
