// CrosswireDecoder module.
