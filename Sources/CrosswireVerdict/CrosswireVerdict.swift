// CrosswireVerdict module.
