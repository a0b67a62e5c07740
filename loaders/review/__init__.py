"""The review pages (``python cli.py review``): people decide potential
matches and anomalies in the browser; recorded like the decisions files."""
