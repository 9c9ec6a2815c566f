import AdvSpec

/// `model NAME = load "FILE" as ARCH [key=value ...]`
extension Statements {
  static let loadModel = StatementForm("model = load", modelForm(
    "load", .slot(.path(["safetensors"])), .word("as"), .slot(.component(.architecture, "architecture", "ARCH")),
    .arguments(ArgumentSource(slot: "architecture")))) { pass, statement, slots in
    guard let modelName = slots.name("model"), let architectureName = slots.name("architecture"),
          let pathExpr = slots.value("path") else { return }
    let path = pass.path(slots, after: "load")
    let architecture = pass.component(.architecture, architectureName)
    let params = pass.parameters(slots.arguments, of: architecture, dataset: pass.environment.dataset)
    guard let name = pass.resolve(modelName, as: "a model name") else { return }
    let readable = path.map { pass.checkCheckpoint($0, pathExpr) } ?? false
    guard pass.defineModel(name, as: architecture, on: pass.environment.dataset, if: readable && params != nil),
          let path, let architecture, let params else { return }
    pass.emit(LoadModelStep(model: name, path: path, architecture: architecture, params: params), for: statement)
  }

  static let loadModelDetails = """
    `model NAME = load "FILE" as ARCH` reads a safetensors file written by `save` (or by PyTorch \
    with the same `state_dict` names); the parameters that shape the network (`layout`, `stem`, \
    `policy`, …) must match the ones it was saved with. A relative FILE is read from the working \
    directory, or else from the output directory (where `save` writes). The checker makes sure \
    it is there and starts as a safetensors file does, unless an earlier statement saves it; \
    `results.json` lists it under `inputs` with its size and SHA-256.
    """
}

public struct LoadModelStep: Step, Equatable {
  public let model: String
  public let path: String
  public let architecture: ComponentSpec
  public let params: Params


  public var traits: StepTraits { StepTraits(.model, defines: model, rebuiltOnMerge: true) }

  public func run(in session: Session, _ planned: PlannedStep) throws {
    try session.loadModel(model, path: session.resolveInput(path), spec: architecture, params: params, statement: planned.text)
  }
}
