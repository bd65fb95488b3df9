// CrosswireVerify module.
