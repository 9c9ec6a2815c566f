import Crypto
import Foundation

// SHA-256 (swift-crypto) as 64 lower-case hex digits, for the front end and the engine alike:
// the script hash of every result record, model cache keys, work-unit keys and checkpoint
// checksums.

/// The SHA-256 of `text`'s UTF-8 bytes, as 64 lower-case hex digits.
public func sha256(_ text: String) -> String {
  hexadecimal(SHA256.hash(data: Data(text.utf8)))
}

/// The SHA-256 of `data`, as 64 lower-case hex digits.
public func sha256(of data: Data) -> String {
  hexadecimal(SHA256.hash(data: data))
}

/// A SHA-256 over bytes given a part at a time (a checkpoint's tensors): the digest of all the
/// parts in the order given, as `sha256(of:)` gives it for their concatenation.
public struct SHA256Hasher {
  private var state = SHA256()

  public init() {}

  /// Adds `text`'s UTF-8 bytes.
  public mutating func update(_ text: String) {
    state.update(data: Data(text.utf8))
  }

  /// Adds `bytes`.
  public mutating func update(bytes: UnsafeRawBufferPointer) {
    state.update(bufferPointer: bytes)
  }

  /// The digest of everything added, as 64 lower-case hex digits.
  public func finalize() -> String {
    hexadecimal(state.finalize())
  }
}

private func hexadecimal(_ digest: SHA256.Digest) -> String {
  digest.map { String(format: "%02x", $0) }.joined()
}
