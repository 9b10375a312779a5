"""The verdict's use cases (评议结果), one module a job:

- ``gather``: the SQL aggregation of the four components into the scoring package's inputs;
- ``snapshot``: the rows of a computation and how a result set is written, copied or replaced;
- ``lifecycle``: close, compute, notice, publish, correct — the cycle's state machine;
- ``publication``: which set is shown, to whom, whether notice is open, a post's history;
- ``export``: the open-data document, the download table and their bytes.

The arithmetic of SPEC §3 is ``rating.scoring``; these modules feed it and keep what it returns.
"""
