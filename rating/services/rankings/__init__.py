"""The rankings beside the post verdict (SPEC §6): the department ranking (部门综合考核排名) and the grassroots-station
satisfaction ranking (人民满意基层站所), built in the verdict's house:

- ``gather``: one grouped query per input, turned into the scoring package's inputs;
- ``snapshot``: the rows of a computation and how a ranking set is written or published;
- ``lifecycle``: compute (a draft), publish with the cycle's verdict, publish later with a reason;
- ``publication``: which set the public and the desk see (the verdict's rule: notice shows the draft);
- ``export``: the open-data document and its files, through ``verdict.export.encode_document``.

The arithmetic is ``rating.scoring.departments`` and ``rating.scoring.stations``.
"""
