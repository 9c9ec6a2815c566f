import AdvSpec
import Foundation
import Testing

@Suite("SHA-256")
struct SHA256Tests {
  // FIPS 180-2, appendix B.1 and B.2; the empty message from NIST's example values.
  static let vectors = [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
  ]

  @Test("text and data hash to the published digests, as lower-case hex")
  func publishedVectors() {
    for (message, digest) in Self.vectors {
      #expect(sha256(message) == digest)
      #expect(sha256(of: Data(message.utf8)) == digest)
    }
  }

  @Test("hashing in parts gives the digest of the whole")
  func parts() {
    let (message, digest) = Self.vectors[2]
    var hasher = SHA256Hasher()
    hasher.update(String(message.prefix(5)))
    Array(message.utf8.dropFirst(5)).withUnsafeBytes { hasher.update(bytes: $0) }
    #expect(hasher.finalize() == digest)
  }
}
