-- Seeds 000, 002 §39 and 004 §9(2), §11(3)3, §12(11): attendance records, WebIR logs, audit records,
-- trail records and deletion evidence are kept at least five years. A rule shorter than that is a legal error.
select
    rule_id,
    dataset,
    retain_months
from {{ ref('retention_rules') }}
where dataset in (
        'punches', 'webir_queries', 'webir_audit_findings', 'deletion_evidence',
        'deletion_task_evidence', 'webir_result_use_ends', 'legal_holds', 'run_ledger', 'ingest_files',
        'ingest_rejections'
    )
    and retain_months < 60
