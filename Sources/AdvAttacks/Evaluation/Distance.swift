import AdvTensor

/// How far an image lies from its original (Foolbox's `Distance`).
///
/// The evaluation driver owns the distances: `AdversarialBatch` keeps the candidate closest by
/// `MeanSquaredError` (Foolbox 1.8's bookkeeping), records report `L2PerPixel`, and attacks use
/// the norm their algorithm is written in (`L2` for Boundary's steps, `SquaredL2` for the CW
/// loss). Another norm is one more conforming type; the raw-buffer loops stay in this file.
///
/// Each type fixes the precision it sums in and sums in index order, so a distance is the same
/// number wherever it is taken.
public protocol Distance: Sendable {
  /// The distance between `x` and `reference`, two images of equally many values.
  func callAsFunction<Scalar: BinaryFloatingPoint>(_ x: UnsafeBufferPointer<Scalar>,
                                                   _ reference: UnsafeBufferPointer<Scalar>) -> Double
}

extension Distance {
  /// The distance between `x` and `reference` (images in Float64, as Boundary keeps them).
  public func callAsFunction<Scalar: BinaryFloatingPoint>(_ x: ArraySlice<Scalar>, _ reference: ArraySlice<Scalar>) -> Double {
    x.withUnsafeBufferPointer { px in reference.withUnsafeBufferPointer { pr in self(px, pr) } }
  }

  /// The distance between row `row` of the stacked images `xs` and row `referenceRow` of the
  /// stacked `references` (images of equally many values).
  public func callAsFunction(_ xs: Tensor, row: Int, _ references: Tensor, row referenceRow: Int) -> Double {
    let d = xs.count / max(xs.shape[0], 1)
    precondition(references.count / max(references.shape[0], 1) == d, "images of \(xs.shape) and \(references.shape) differ in size")
    return xs.withUnsafeBufferPointer { px in
      references.withUnsafeBufferPointer { pr in
        self(UnsafeBufferPointer(rebasing: px[(row * d)..<((row + 1) * d)]),
             UnsafeBufferPointer(rebasing: pr[(referenceRow * d)..<((referenceRow + 1) * d)]))
      }
    }
  }

  /// The distance between the single image `x` and row `row` of the stacked `references`.
  public func callAsFunction(_ x: Tensor, _ references: Tensor, row: Int) -> Double {
    self(x, row: 0, references, row: row)
  }
}

/// `Σ (x − r)²` in index order, each difference taken in the images' precision and squared and
/// summed in `Accumulator`.
@inline(__always)
func sumOfSquaredDifferences<Scalar: BinaryFloatingPoint, Accumulator: BinaryFloatingPoint>(
  _ x: UnsafeBufferPointer<Scalar>, _ reference: UnsafeBufferPointer<Scalar>, in _: Accumulator.Type
) -> Accumulator {
  precondition(x.count == reference.count, "images of \(x.count) and \(reference.count) values")
  var s: Accumulator = 0
  for j in 0..<x.count {
    let d = Accumulator(x[j] - reference[j])
    s += d * d
  }
  return s
}

/// `‖x − r‖₂²`, summed in the images' precision: the distance term of the Carlini-Wagner loss.
public struct SquaredL2: Distance {
  public init() {}

  public func callAsFunction<Scalar: BinaryFloatingPoint>(_ x: UnsafeBufferPointer<Scalar>,
                                                          _ reference: UnsafeBufferPointer<Scalar>) -> Double {
    Double(sumOfSquaredDifferences(x, reference, in: Scalar.self))
  }
}

/// `‖x − r‖₂`, summed and rooted in the images' precision: the radius Boundary steps on.
public struct L2: Distance {
  public init() {}

  public func callAsFunction<Scalar: BinaryFloatingPoint>(_ x: UnsafeBufferPointer<Scalar>,
                                                          _ reference: UnsafeBufferPointer<Scalar>) -> Double {
    Double(sumOfSquaredDifferences(x, reference, in: Scalar.self).squareRoot())
  }
}

/// Foolbox's normalised MSE, `Σ (x − r)² / (n · s²)` with n values and range `s = 1` (pixels in
/// [0, 1]), summed and divided in the images' precision. `AdversarialBatch` keeps the candidate
/// that minimises it (attacks.md §0.1).
public struct MeanSquaredError: Distance {
  public init() {}

  public func callAsFunction<Scalar: BinaryFloatingPoint>(_ x: UnsafeBufferPointer<Scalar>,
                                                          _ reference: UnsafeBufferPointer<Scalar>) -> Double {
    Double(sumOfSquaredDifferences(x, reference, in: Scalar.self) / Scalar(x.count))
  }
}

/// The paper's distance, `d = ‖x − r‖₂ / n` with n = C·H·W values (attacks.md §1.3; tables
/// report `1000 · mean d`). Summed in Float64; the squared norm is rounded to Float32 before the
/// root, as every recorded distance has been, so results stay comparable across versions.
public struct L2PerPixel: Distance {
  public init() {}

  public func callAsFunction<Scalar: BinaryFloatingPoint>(_ x: UnsafeBufferPointer<Scalar>,
                                                          _ reference: UnsafeBufferPointer<Scalar>) -> Double {
    let squared = Float(sumOfSquaredDifferences(x, reference, in: Double.self))
    return Double(squared).squareRoot() / Double(x.count)
  }
}
