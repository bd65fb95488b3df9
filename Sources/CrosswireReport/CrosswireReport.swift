// CrosswireReport module.
