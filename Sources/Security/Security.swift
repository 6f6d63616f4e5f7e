/// Crypto primitives.
public enum Security {}
