"""The audit-log viewer for auditors and administrators (filled in below)."""
