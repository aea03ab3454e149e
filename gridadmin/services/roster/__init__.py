"""Grid staff: one person's record, assignments (任职), certificates, per-grid staffing
(网格配备) and the paged roster list (花名册)."""
