"""Spreadsheet imports shared by the web uploads and the CLI: read a CSV/XLSX, validate every row, report."""
