// CrosswirePlan module.
