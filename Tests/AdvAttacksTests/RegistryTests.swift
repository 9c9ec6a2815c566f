import AdvAttacks
import AdvData
import AdvNN
import AdvTensor
import Testing

/// What every registered attack must do, tested once per registry entry: a new attack is
/// covered as soon as it is registered.
@Suite("every registered attack")
struct RegistryTests {
  static let names = Attacks.all.map { $0.spec.name }

  let model = tinyLinearNetwork(seed: 5)
  var split: Split { tinySplit(for: model) }

  @Test("returns images in [0, 1], each with its distance", arguments: names)
  func imagesInRange(name: String) throws {
    let result = try runRegistered(name, on: model, split: split, given: ["samples": .int(4)])
    #expect(result.samples.count == 4)
    #expect(result.adversarials.contains { $0 != nil }, "\(name) returned no image at all")
    for (sample, image) in zip(result.samples, result.adversarials) {
      #expect(sample.returned == (image != nil))
      guard let image else { continue }
      #expect(image.scalars.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(name): sample \(sample.index) leaves [0, 1]")
      #expect(sample.l2PerPixel != nil)
    }
  }

  @Test("gives the same result for the same seed, bit for bit", arguments: names)
  func reproducible(name: String) throws {
    let a = try runRegistered(name, on: model, split: split, given: ["samples": .int(4)], seed: 3)
    let b = try runRegistered(name, on: model, split: split, given: ["samples": .int(4)], seed: 3)
    #expect(a.samples == b.samples)
    #expect(a.adversarials.map { $0?.scalars } == b.adversarials.map { $0?.scalars })
  }

  @Test("counts at least one query per sample, the clean one", arguments: names)
  func countsQueries(name: String) throws {
    let result = try runRegistered(name, on: model, split: split, given: ["samples": .int(4)])
    #expect(result.samples.allSatisfy { $0.queries > 0 }, "\(result.samples.map(\.queries))")
    #expect(result.queries == result.samples.reduce(0) { $0 + $1.queries })
  }

  @Test("declares the driver's settings after its own parameters, with the driver's defaults", arguments: names)
  func declaresDriverSettings(name: String) throws {
    let kind = try #require(Attacks.named(name))
    let spec = try #require(Attacks.specs.first { $0.name == name })
    let settings = Evaluation.settings(for: kind)
    #expect(settings.map(\.name) == ["samples", "launches", "batch"])
    #expect(Array(spec.params.suffix(settings.count)) == settings)
    #expect(Array(spec.params.dropLast(settings.count)) == kind.spec.params)
    #expect(Set(spec.params.map(\.name)).count == spec.params.count, "a parameter is declared twice")
    #expect(spec.param("samples")?.defaultValue == .int(kind.defaultSamples))
    #expect(spec.param("launches")?.defaultValue == .int(100))
    #expect(spec.param("batch")?.defaultValue == .int(100))
  }

  @Test("the driver reads its settings from the attack's resolved parameters", arguments: names)
  func driverReadsSettings(name: String) throws {
    let kind = try #require(Attacks.named(name))
    let spec = Evaluation.spec(of: kind)
    let defaults = Evaluation(Params(spec: spec, given: [:]), for: kind)
    #expect((defaults.samples, defaults.launches, defaults.batch) == (kind.defaultSamples, 100, 100))
    let given = Evaluation(Params(spec: spec, given: ["samples": .int(3), "launches": .int(7), "batch": .int(2)]), for: kind)
    #expect((given.samples, given.launches, given.batch) == (3, 7, 2))
  }

  @Test("records its own parameters and launches, not samples or batch", arguments: names)
  func recordedParameters(name: String) throws {
    let result = try runRegistered(name, on: model, split: split, given: ["samples": .int(1)])
    let kind = try #require(Attacks.named(name))
    #expect(Set(result.params.values.keys) == Set(kind.spec.params.map(\.name) + ["launches"]))
  }

  @Test("the paper's sample counts: 500 for BIM, 100 for the others")
  func paperSamples() {
    #expect(BIM.defaultSamples == 500)
    #expect([CWL2.defaultSamples, ModCWL2.defaultSamples, Boundary.defaultSamples] == [100, 100, 100])
  }
}
