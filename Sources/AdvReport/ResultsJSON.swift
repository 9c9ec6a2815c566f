import Foundation

/// The JSON coders of result records: keys sorted, so a file's bytes depend only on its records;
/// non-finite numbers (an ASR over no samples is NaN) as the strings "nan", "inf", "-inf", which
/// plain JSON has no numbers for.
public enum ResultsJSON {
  /// An encoder that sorts keys and writes non-finite numbers as strings; `prettyPrinted` indents
  /// as `results.json` is (two spaces, `"key" : value`), otherwise one line.
  public static func encoder(prettyPrinted: Bool = true) -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = prettyPrinted ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
  }

  /// A decoder that reads what `encoder` writes, non-finite numbers included.
  public static func decoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
  }
}
