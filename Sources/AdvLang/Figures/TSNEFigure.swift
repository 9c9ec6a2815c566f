import AdvData
import AdvNN
import AdvReport
import AdvSpec
import AdvTensor
import Foundation

/// `plot tsne of MODEL` (paper, Fig. 4(a, b)): t-SNE of a model's logits on a class-stratified
/// sample of images.
enum TSNEFigure {
  /// The split whose images are embedded.
  enum Images: String, ParamChoice { case train, test }

  static let samples = ParamKey.int("samples", default: 1000, range: 10...5000, doc: "training images embedded, stratified by class")
  static let perplexity = ParamKey.real(
    "perplexity", default: 30, range: 2...100, doc: "the effective number of neighbours (must stay below samples/3)")
  static let iterations = ParamKey.int(
    "iterations", default: 1000, range: 250...10_000, doc: "gradient steps (the first 250 with early exaggeration 12)")
  static let split = ParamKey.choice("split", default: Images.train, doc: "the images embedded (paper: training images)")

  static let declaration = FigureSpec(
    .tsne, doc: "t-SNE of a model's logits on training images, coloured by class (paper, Fig. 4(a, b))",
    params: [samples.spec, perplexity.spec, iterations.spec, split.spec], models: .one, file: .svg, paper: "Fig. 4(a, b)")
}

extension Session {
  /// Fig. 4(a, b): t-SNE of the model's logits (under its policy) on a class-stratified sample.
  func tsneFigure(_ name: String, params: Params, path: String, statement: String) throws -> DrawnFigure {
    let m = try model(name)
    let useTrain = params[TSNEFigure.split] == .train
    let split = useTrain ? m.dataset.train : m.dataset.test
    let samples = params[TSNEFigure.samples]
    guard samples <= split.count else {
      throw RuntimeError(message: "'samples=\(samples)' asks for more images than the \(useTrain ? "training" : "test") split has (\(split.count)); lower it")
    }
    var pick = RandomStream(seed: seed, stream: 0x75E1)
    let subset = split.stratifiedSubset(samples, classes: m.dataset.classes, rng: &pick)
    var noise = RandomStream(seed: seed, stream: 0x75E2)
    let chunk = 250
    var logits: [Float] = []
    var first = 0
    while first < subset.count {
      try Interrupt.check()
      let rows = Array(first..<min(first + chunk, subset.count))
      let out = m.model.logits(subset.batch(rows).images, rng: &noise)
      logits += out.scalars
      first += chunk
    }
    let perplexity = params[TSNEFigure.perplexity], iterations = params[TSNEFigure.iterations]
    let tsne = TSNE(perplexity: perplexity, iterations: iterations)
    var init0 = RandomStream(seed: seed, stream: 0x75E3)
    let embedding = try tsne.embed(logits, count: subset.count, dimension: m.dataset.classes, rng: &init0,
                                   label: "plot tsne of \(name)")
    let points = (0..<subset.count).map { (x: embedding.coordinates[2 * $0], y: embedding.coordinates[2 * $0 + 1]) }
    let caption = "t-SNE of the logits of \(name) (\(m.architecture.name), \(m.policyDescription)) on \(subset.count) "
      + "\(m.dataset.name) \(useTrain ? "training" : "test") images, stratified by class; perplexity "
      + "\(formatReal(perplexity)), \(iterations) iterations, final KL "
      + String(format: "%.3f", embedding.klDivergence) + "; seed \(seed); script \(scriptName)"
    let title = "t-SNE of \(name) logits"
    let chart = ScatterPlot(title: title, caption: caption, points: points, classes: subset.labels,
                            classNames: (0..<m.dataset.classes).map { "class \($0)" })
    return DrawnFigure(figure: FigureKind.tsne.rawValue, title: title, caption: caption, file: path, svg: chart.svg(), png: nil,
                       statement: statement)
  }
}
