"""扶贫资金异常检查: rules as SQL conditions over the disbursement-facts table, run in the comparison engine's DuckDB
workspace, anomalies reconciled across runs and answered by the responsible region (docs/architecture.md)."""
