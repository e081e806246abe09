"""WebIR audit findings: the auditor's results, returned in the sample workbook (seed 004 §12(1))."""
