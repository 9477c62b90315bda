"""Models of 行业政策."""
