import AdvSpec

/// `save MODEL to "FILE.safetensors"` and `save adversarials [of MODEL] to "FILE.safetensors"`
extension Statements {
  static let save = StatementSpec(
    name: "save",
    forms: [saveModel, saveAdversarials],
    doc: "write a model's weights (PyTorch state_dict names) and settings, or the adversarials of its latest attack, to a safetensors file",
    details: { _ in
      """
      The tensor names are the PyTorch `state_dict` keys (torchvision's for `resnet18`, \
      `scripts/torch_models.py`'s for the others), so the file loads in PyTorch with \
      `load_state_dict(strict=True)`; the architecture, its parameters, the input normalisation, the \
      data set, the seed and the engine version go into the header's `__metadata__`. The file is \
      written atomically. A relative path is placed under the output directory (`--out`); a path \
      outside it is refused unless `--allow-write` allows it (grammar.md, "Files a script reads and \
      writes").
      """ + "\n\n" + saveAdversarialsDetails
    },
    examples: ["save net to \"net.safetensors\"", "attack bim on net samples=10", "save adversarials of net to \"bim.safetensors\""])

  static let saveModel = StatementForm("save", SyntaxPattern(
    .word("save"), .slot(.model()), .word("to"),
    .slot(.path(["safetensors"], placeholder: "\"FILE.safetensors\"")))) { pass, statement, slots in
    guard let modelName = slots.name("model") else { return }
    let model = pass.model(modelName)
    let path = pass.path(slots, after: "to")
    if let model, let path, pass.checkOutput(path, by: "save", slots.value("path"), in: statement.range) {
      pass.emit(SaveStep(model: model, path: path), for: statement)
    }
  }
}

public struct SaveStep: Step, Equatable {
  public let model: String
  public let path: String


  public var traits: StepTraits { StepTraits(.output, needs: [model]) }

  public func run(in session: Session, _ planned: PlannedStep) throws {
    try session.save(model, to: path)
  }
}
