"""Models of 扶贫小额信贷."""
