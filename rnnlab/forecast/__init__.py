"""Forecasting math with no engine in it: metrics and baseline forecasts."""
