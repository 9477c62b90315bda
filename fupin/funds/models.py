"""Models of 扶贫资金."""
