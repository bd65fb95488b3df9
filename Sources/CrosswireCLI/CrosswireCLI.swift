// CrosswireCLI module.
