/// Pure analytics: indicators, strategies, backtests, metrics.
public enum Quant {}
