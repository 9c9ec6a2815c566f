// The declarations (`ComponentSpec`, `Params`, typed keys), progress and interrupt state are
// the vocabulary of the whole engine: every module above this one reads them with the tensors.
@_exported import AdvSpec
