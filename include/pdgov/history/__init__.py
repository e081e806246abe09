"""Governance history: what each night's registers, device list, samples and reviews said, kept as records.

The marts are rebuilt from scratch every night; the committee, an auditor next year and the
workbooks of past dates need what they said *then* (seed 002 §39, seed 004 §12(11): records and
audit evidence kept at least five years). Each night the ``write_exports`` task appends the night's
governance outputs to ``warehouse/history.duckdb`` as row versions with validity ranges (only rows
that changed are written), and ``pdgov export --date D`` renders that night's workbooks again from it.

* ``store`` — the history file, what is tracked, and the nightly ``record`` (see docs/history.md);
* ``keep`` — how long history and past workbooks are kept, counted from the record's own date;
* ``render`` — a past night's workbooks (and dashboard snapshot) from history;
* ``redact`` — the hook the retention purge calls when a person's data is deleted.
"""
