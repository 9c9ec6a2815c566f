import AdvAttacks
import AdvTensor
import Testing

@Suite("criterion and distances")
struct DistanceTests {
  /// 16 pixels, each 0.5 away from the reference: ‖x − r‖₂ = 2.
  let x = Tensor(repeating: 0.75, shape: [1, 1, 4, 4])
  let references = Tensor([Float](repeating: 0, count: 16) + [Float](repeating: 0.25, count: 16), shape: [2, 1, 4, 4])

  @Test("the distances of an image 0.5 away in each of 16 pixels")
  func knownPair() {
    #expect(SquaredL2()(x, references, row: 1) == 4)
    #expect(L2()(x, references, row: 1) == 2)
    #expect(MeanSquaredError()(x, references, row: 1) == 0.25)
    #expect(L2PerPixel()(x, references, row: 1) == 2.0 / 16)
    // Row 0 lies 0.75 away per pixel: ‖x − r‖₂ = 3.
    #expect(L2()(x, references, row: 0) == 3)
  }

  @Test("Float64 images (Boundary's) measure as their Float32 copies where both are exact")
  func doublePrecision() {
    let a: [Double] = Array(repeating: 0.75, count: 16), b: [Double] = Array(repeating: 0.25, count: 16)
    #expect(L2()(a[...], b[...]) == 2)
    #expect(MeanSquaredError()(a[...], b[...]) == 0.25)
  }

  @Test("misclassification: any label but the true one")
  func misclassification() {
    let criterion = Misclassification()
    #expect(criterion.isAdversarial(labels: [3, 3, 0], predictions: [3, 1, 2]) == [false, true, true])
  }
}
