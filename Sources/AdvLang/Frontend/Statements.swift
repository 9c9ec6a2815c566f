import AdvSpec
import Foundation

/// The statement registry — each statement's keyword, syntax, one-line doc and example,
/// declared once — and the `:help` texts rendered from it and from the vocabulary.

/// The declaration of one statement: everything grammar.md, `:help` and completion say about it.
/// grammar.md's "Statements" section is rendered from these (`renderStatementSections`), so a
/// new statement is documented by declaring it.
public struct StatementSpec: Sendable {
  /// The keyword that starts it.
  public let name: String
  /// The heading in grammar.md when it is not the keyword alone (`model … = train`).
  public let title: String?
  /// The syntax, one line per form, as grammar.md and `:help` show it.
  public let syntax: [String]
  /// One line: what it does (`:help` overview).
  public let doc: String
  /// The rest of its description (markdown), rendered with the vocabulary so lists of names
  /// come from the registries.
  public let details: @Sendable (Vocabulary) -> String
  /// Lines that check when a data set is loaded and a model `net` is defined.
  public let examples: [String]
  /// The kind of component the statement names, listed by `:help STATEMENT`.
  public let names: ComponentKind?

  public init(name: String, title: String? = nil, syntax: [String], doc: String,
              details: @escaping @Sendable (Vocabulary) -> String = { _ in "" },
              examples: [String], names: ComponentKind? = nil) {
    self.name = name
    self.title = title
    self.syntax = syntax
    self.doc = doc
    self.details = details
    self.examples = examples
    self.names = names
  }

  /// The first example.
  public var example: String { examples[0] }
}

/// Every statement of the language, in the order help and grammar.md list them.
public enum Statements {
  public static let all: [StatementSpec] = [
    StatementSpec(
      name: "seed", syntax: ["seed N"],
      doc: "fix the seed of every random choice after it (subsets, initialisation, batches, noise)",
      details: { _ in
        "`N` is a whole number from 0 to \(UInt64.max); it may be an expression (`seed 6*7`). "
          + "`adv run --seed N` overrides every `seed` statement."
      },
      examples: ["seed 7"]),
    StatementSpec(
      name: "load", syntax: ["load DATASET [from \"PATH\"] [key=value ...]"],
      doc: "load a data set: the embedded copy, or the files in PATH",
      details: { v in
        let files = v.datasets.compactMap { d in d.files.map { "`\(d.name)`: \($0.contents)" } }.joined(separator: "; ")
        let needFrom = v.datasets.filter { $0.files?.embedded == false }.map(\.name)
        return "It replaces any data set loaded before; models trained earlier keep theirs. `from` and the "
          + "parameters may come in any order. The data sets: " + codeList(v.datasets.map(\.name)) + ". "
          + "PATH is a directory, relative to the working directory, holding the files the data set's reader "
          + "opens (" + files + "); the checker looks for them before anything runs. "
          + (needFrom.isEmpty ? "" : codeList(needFrom) + " have no embedded copy and need `from`. ")
          + "`results.json` lists the directory and its files under `inputs`."
      },
      examples: ["load mnist from \"data/mnist\" train=1000"], names: .dataset),
    StatementSpec(
      name: "model", title: "`model … = train`, `load`, `surrogate` and `mixture`",
      syntax: ["model NAME = train ARCH [from MODEL] [key=value ...]",
               "model NAME = load \"FILE\" as ARCH [key=value ...]",
               "model NAME = surrogate ARCH of ORACLE [key=value ...]",
               "model NAME = mixture MODEL, MODEL[, MODEL ...] [key=value ...]"],
      doc: "define the model NAME: train one of architecture ARCH on the loaded data set (starting from MODEL's weights with 'from'), load one saved with 'save', train a surrogate of ORACLE from its answers, or mix models",
      details: { _ in
        """
        A `load` of a data set must come first. Defining NAME again replaces the model (later wins). \
        Parameters not given take the paper's default for the loaded data set (the tables below show \
        such defaults as `20 (cifar10: 30)`). Trained models are cached: the same data set, \
        architecture, parameters and seed train once (`adv run --no-cache` trains again).

        `from MODEL` starts the training from a model defined earlier instead of a fresh \
        initialisation (fine-tuning, warm starts): every weight and batch-norm statistic whose PyTorch \
        `state_dict` name and shape match is copied, and the input normalisation when the input shapes \
        agree; tensors that do not fit (a classifier with another class count, say) start freshly \
        initialised, with a warning that names them. A model with nothing in common is an error. \
        `epochs=0` makes a copy under the new architecture's settings (`bnn-d` weights as `bnn-s`, \
        say). The cache key includes MODEL's, so a changed MODEL trains again.

        `model NAME = load "FILE" as ARCH` reads a safetensors file written by `save` (or by PyTorch \
        with the same `state_dict` names); the parameters that shape the network (`layout`, `stem`, \
        `policy`, …) must match the ones it was saved with. A relative FILE is read from the working \
        directory, or else from the output directory (where `save` writes). The checker makes sure \
        it is there and starts as a safetensors file does, unless an earlier statement saves it; \
        `results.json` lists it under `inputs` with its size and SHA-256.

        `model NAME = surrogate ARCH of ORACLE` trains a substitute of architecture ARCH from ORACLE's \
        hard labels only (Papernot et al.): the attacker starts from `seed_split` of the test split \
        (the rest is the evaluation pool that `transfer` draws from), trains from scratch in each of \
        `rounds` rounds and doubles its data by Jacobian-based augmentation in between; `vm=10` trains \
        with Variance Mimicking (the paper's Algorithm 1). Its settings, with the paper's epochs and \
        learning rate for each round, are in the table "surrogate" below; ARCH's other training \
        parameters (optimiser, batch, …) are ARCH's own. Oracle queries are counted.

        `model NAME = mixture A, B[, C ...]` is a stochastic model that answers every query with one \
        member drawn uniformly at random (the paper's defence); white-box attacks follow the members' \
        mean gradient. The members must be trained on the same data set. `weights=[3, 1]` draws the \
        members with those relative weights instead (one per member, in order; here 3/4 and 1/4), and \
        the gradient becomes the members' mean weighted alike.
        """
      },
      examples: ["model net = train lenet epochs=3 lr=0.001", "model r18 = load \"r18.safetensors\" as resnet18",
                 "model tuned = train resnet18 from r18 epochs=2 lr=0.0001",
                 "model sub = surrogate lenet of net rounds=3 vm=10", "model mix = mixture net, tuned",
                 "model wmix = mixture net, tuned weights=[3, 1]"],
      names: .architecture),
    StatementSpec(
      name: "evaluate", syntax: ["evaluate NAME"],
      doc: "measure a model's clean accuracy on the test split",
      details: { _ in "A stochastic model answers under its policy (`set policy`); each evaluation draws fresh noise." },
      examples: ["evaluate net"]),
    StatementSpec(
      name: "attack", syntax: ["attack ATTACK [key=value ...] on NAME [key=value ...]"],
      doc: "attack a model; records attack success rate and mean L2 distance per pixel",
      details: { v in
        "Parameters may stand before or after `on NAME`; both lists are checked together against the "
          + "attack's declaration, and a parameter given twice is an error. The attacks: "
          + codeList(v.attacks.map(\.name)) + "; on stochastic targets some follow Foolbox 3 rather than Foolbox 1.8 (grammar.md, "
          + "\"Which reference an attack reproduces\")."
      },
      examples: ["attack bim eps=32/255 on net samples=100"], names: .attack),
    StatementSpec(
      name: "transfer", syntax: ["transfer ATTACK [key=value ...] from SOURCE to TARGET[, TARGET ...] [key=value ...]"],
      doc: "craft adversarials on SOURCE and launch them against every TARGET; records each target's transfer rate",
      details: { _ in
        """
        Only adversarials valid on the source count: a deterministic source must misclassify them, \
        a stochastic one in more than `valid` of `passes` passes (App. G2). Eligible samples are \
        classified correctly by the source and by every target, and are drawn in seeded order until \
        `samples` valid adversarials are kept; a surrogate source draws only from its evaluation \
        pool, never from the images it was trained on. The attack's own parameters are given as \
        usual; the transfer settings are in the table "transfer" below.
        """
      },
      examples: ["model r18 = train resnet18 epochs=1", "transfer bim eps=16/255 from r18 to net", "transfer cwl2 c=10 from net to r18, net samples=50"],
      names: .attack),
    StatementSpec(
      name: "for", syntax: ["for VAR in [VALUE, ...] { STATEMENTS }"],
      doc: "run the statements once per value, VAR standing for the value",
      details: { _ in
        "The body may be on the same line or on the following lines; loops nest. The checker unrolls "
          + "loops, so an error that only some values cause is reported with the value "
          + "(`note: when 'eps' = 2`). The list must not be empty; a nest of loops may unroll to at most "
          + "\(Checker.maximumSteps) steps. Results record each statement with the loop variables replaced "
          + "by their values (`attack bim eps=8/255 on net`)."
      },
      examples: ["for eps in [8/255, 16/255] { attack bim eps=eps on net }"]),
    StatementSpec(
      name: "save", syntax: ["save NAME to \"FILE.safetensors\"", "save adversarials [of NAME] to \"FILE.safetensors\""],
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

        `save adversarials of NAME` writes the adversarials of the latest attack on NAME (without \
        `of`, of the latest attack): `adversarials` and `originals` (N×C×H×W, float32 in [0, 1], the \
        samples that returned an image), `indices` (their test-split positions), `labels` (true) and \
        `adversarial_labels` (under the model's policy; on a stochastic model the majority over the \
        launches), int64; the attack, its parameters, the model and the seed in `__metadata__`. \
        `scripts/load_adversarials.py` reads it in PyTorch and checks the labels again.
        """
      },
      examples: ["save net to \"net.safetensors\"", "attack bim on net samples=10", "save adversarials of net to \"bim.safetensors\""]),
    StatementSpec(
      name: "plot", syntax: ["plot FIGURE [of MODEL, ...] [key=value ...] [to \"FILE\"]"],
      doc: "draw one of the paper's figures from the results so far (bars, curve, box) or from a model (tsne, decision, adversarials)",
      details: { v in
        let rows = v.figures.map { "| `\($0.name)` | \($0.paper) | `\($0.usage)` |" }.joined(separator: "\n")
        return """
          Charts are SVG, images PNG; `to` names the file (its extension must match), otherwise it is \
          `plot-FIGURE[-MODEL].svg` (or `.png`) in the output directory. A results figure (`bars`, \
          `curve`, `box`) draws the attack and transfer results so far, only those on the models after \
          `of` when it is given; `tsne` and `decision` draw one model; `adversarials` the latest attack \
          of each kind on each model. Every figure has a caption naming the data set, the samples, the \
          seed and the script, and is included in `report html`. Each figure's settings are in `:help FIGURE` and in the \
          tables under "Figures (`plot`)".

          | figure | paper | syntax |
          |---|---|---|
          \(rows)
          """
      },
      examples: ["attack bim eps=8/255 on net samples=10", "plot bars to \"asr.svg\"", "plot tsne of net samples=300 perplexity=20",
                 "plot decision of net around=[0, 1, 2] grid=40", "plot adversarials of net n=2 to \"adv.png\""],
      names: .figure),
    StatementSpec(
      name: "set", title: "`set policy`",
      syntax: ["set policy of NAME = " + InferencePolicy.syntax],
      doc: "how a stochastic model answers: one forward pass, or the mean logits of N passes",
      details: { v in
        "Stochastic models (" + codeList(v.architectures.filter { $0.param("policy") != nil }.map(\.name))
          + ") answer with `average(10)` unless trained with `policy=single` (paper, App. F); every query "
          + "of an attack and every launch of the evaluation protocol goes through the policy. N is a "
          + "whole number in \(InferencePolicy.passesRange.lowerBound)...\(InferencePolicy.passesRange.upperBound). "
          + "A deterministic model ignores it (with a warning)."
      },
      examples: ["set policy of net = average(5)"]),
    StatementSpec(
      name: "report", syntax: ["report [" + ReportFormat.allCases.map(\.rawValue).joined(separator: "|") + "] [to \"FILE\"]"],
      doc: "print the results so far, or write them to FILE (format from its extension if not given)",
      details: { _ in
        "The format follows the file's extension if not given ("
          + ReportFormat.allCases.flatMap(\.extensions).map { "`.\($0)`" }.joined(separator: ", ")
          + "; otherwise text). A given format wins over the extension. `report html` writes one "
          + "self-contained page (`report.html` in the output directory unless `to` names another): the "
          + "script and its hash, the models, every table with the paper's values beside ours, the charts "
          + "the results allow, the figures drawn by `plot` and a grid of adversarials per attacked model."
      },
      examples: ["report markdown to \"results.md\"", "report html"]),
  ]

  /// The statement a help topic names; `train` finds `model`, `policy` finds `set`.
  public static func named(_ topic: String) -> StatementSpec? {
    let key = ["train": "model", "policy": "set"][topic.lowercased()] ?? topic.lowercased()
    return all.first { $0.name == key }
  }
}

/// `a`, `b` and `c` as markdown code.
func codeList(_ names: [String]) -> String {
  listed(names) { "`\($0)`" }
}

/// The overview `:help` prints: statements, registered names, how to ask for more.
public func helpText(vocabulary: Vocabulary) -> String {
  var out = "statements:\n"
  for statement in Statements.all {
    out += statement.syntax.map { "  \($0)\n" }.joined() + "      \(statement.doc)\n"
  }
  out += "\n"
  for kind in [ComponentKind.architecture, .attack, .dataset] {
    let names = vocabulary.components(kind).map(\.name)
    out += "\(kind.pluralNoun): \(names.isEmpty ? "none" : names.joined(separator: ", "))\n"
  }
  out += """

    values: numbers with + - * / and parentheses (32/255), "strings", words (sgd), true, false
    comments start with '#'; ';' or a new line ends a statement
    ':help STATEMENT' explains a statement, ':help NAME' shows a component's parameters

    """
  return out
}

/// Help on one topic: a statement keyword (with the components it names) or the name of an
/// architecture, attack or data set (with its parameter table). Nil for an unknown topic.
public func helpText(topic: String, vocabulary: Vocabulary) -> String? {
  if let statement = Statements.named(topic) {
    // A statement with settings of its own (`transfer`) shows their table too.
    let settings = vocabulary.component(.procedure, named: statement.name).map { "\n" + componentHelp($0) } ?? ""
    return statementHelp(statement, vocabulary: vocabulary) + settings
  }
  let matches = vocabulary.allComponents.filter { $0.matches(topic) }
  guard !matches.isEmpty else { return nil }
  return matches.map(componentHelp).joined(separator: "\n")
}

func statementHelp(_ statement: StatementSpec, vocabulary: Vocabulary) -> String {
  var out = statement.syntax.joined(separator: "\n") + "\n  \(statement.doc)\n"
  let details = statement.details(vocabulary)
  if !details.isEmpty {
    out += details.components(separatedBy: "\n\n").map { paragraph in
      wrapped(paragraph, width: 96).split(separator: "\n").map { "  \($0)\n" }.joined()
    }.joined(separator: "\n")
  }
  out += (statement.examples.count == 1 ? "example:\n" : "examples:\n") + statement.examples.map { "  \($0)\n" }.joined()
  if let kind = statement.names {
    let specs = vocabulary.components(kind)
    out += "\n\(kind.pluralNoun):\n"
    if specs.isEmpty { out += "  none registered\n" }
    let width = specs.map(\.name.count).max() ?? 0
    let indent = String(repeating: " ", count: width + 4)
    for spec in specs {
      out += "  \(spec.name)\(String(repeating: " ", count: width - spec.name.count))  \(spec.doc)\n"
      let defaults = spec.params.map { "\($0.name)=\($0.defaultValue)" }.joined(separator: " ")
      if !defaults.isEmpty { out += "\(indent)\(defaults)\n" }
    }
    if let first = specs.first { out += "':help \(first.name)' shows the parameters of '\(first.name)'\n" }
  }
  return out
}

/// A component's name, aliases, doc, usage and parameter table.
func componentHelp(_ spec: ComponentSpec) -> String {
  let aliases = spec.aliases.isEmpty ? "" : " (also: \(spec.aliases.joined(separator: ", ")))"
  var out = "\(spec.kind.noun) \(spec.name)\(aliases)\n  \(spec.doc)\nusage:\n  \(usage(of: spec))\n"
  if spec.params.isEmpty {
    out += "no parameters\n"
  } else {
    out += "parameters:\n"
    let rows = [["name", "type", "default", "range", "meaning"]]
      + spec.params.map { [$0.name, $0.kind.typeName, spec.defaultDescription(of: $0), $0.rangeDescription, $0.doc] }
    out += textTable(rows, indent: "  ")
  }
  return out
}

/// How a statement uses a component: `attack bim [key=value ...] on NAME`.
func usage(of spec: ComponentSpec) -> String {
  switch spec.kind {
  case .architecture: return "model NAME = train \(spec.name) [key=value ...]"
  case .attack: return "attack \(spec.name) [key=value ...] on NAME"
  case .dataset: return "load \(spec.name) [from \"PATH\"] [key=value ...]"
  case .procedure:
    return Statements.all.flatMap(\.syntax).first { $0.contains(spec.name) } ?? spec.name
  case .figure:
    let figure = Figures.declarations(attacks: []).first { $0.name == spec.name }
    return figure?.usage ?? "plot \(spec.name) [key=value ...]"
  }
}

/// Rows as left-aligned columns two spaces apart, without trailing spaces.
func textTable(_ rows: [[String]], indent: String = "") -> String {
  let columns = rows.map(\.count).max() ?? 0
  let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
  return rows.map { row in
    let cells = row.enumerated().map { c, cell in
      c == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[c] - cell.count)
    }
    let line = indent + cells.joined(separator: "  ")
    return String(line.reversed().drop(while: { $0 == " " }).reversed())
  }.map { $0 + "\n" }.joined()
}
