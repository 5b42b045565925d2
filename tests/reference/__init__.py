"""Independent, plain implementations of measures, used to cross-check the measure engine."""
