// CrosswireCapture module.
