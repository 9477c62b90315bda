"""Models of 扶贫项目资产."""
