"""The scoring method of SPEC §3 in plain Python: no Flask, no database. Inputs in, results out."""
