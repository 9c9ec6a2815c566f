import AdvLang
import Foundation
import Testing

/// The generated parameter tables of grammar.md, and grammar.md itself.
@Suite("grammar.md")
struct GrammarDocTests {
  let vocabulary = TestVocabulary.documented

  /// grammar.md at the repository root, found from this file's path.
  static func grammarFile() throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    return try String(contentsOf: root.appendingPathComponent("grammar.md"), encoding: .utf8)
  }

  @Test("an attack's table lists name, type, default, range and meaning of every parameter")
  func attackTable() {
    let tables = renderParameterTables(vocabulary: vocabulary)
    #expect(tables.contains("""
      #### `bim`

      Basic Iterative Method (L∞): signed cross-entropy gradient steps projected onto the ε-ball. Also spelled `linf-bim`, `basic-iterative`.

      | name | type | default | range | meaning |
      |---|---|---|---|---|
      | `eps` | real | 0.12549 | 0...1 | L∞ budget in pixel units [paper: 8, 16, 32 /255] |
      | `alpha` | real | 0.05 | 0...1 | step size in pixel units [paper: 0.05] |
      | `steps` | int | 100 | 1...100000 | iterations [paper: 100] |
      | `early` | bool | true | true\\|false | stop a sample at its first misclassified iterate [foolbox 1.8: return_early] |
      | `keep` | choice | auto | auto\\|best\\|last | the image returned: best = the closest misclassified query [foolbox 1.8, the paper]; last = the final iterate, every sample attacked [foolbox 3]; auto: best on deterministic targets, last on stochastic ones |
      | `samples` | int | 500 | 1...1000000 | correctly classified test samples attacked [paper: 500] |
      | `launches` | int | 100 | 1...100000 | re-launches of each adversarial on a stochastic target [paper: 100] |
      | `batch` | int | 100 | 1...10000 | samples attacked together (memory, speed); results change with it only by rounding and random draws, except under abort_by=batch |

      """))
  }

  @Test("the tables come in the order architectures, attacks, data sets, and '|' in cells is escaped")
  func orderAndEscaping() {
    let tables = renderParameterTables(vocabulary: vocabulary)
    let headings = tables.split(separator: "\n").filter { $0.hasPrefix("###") }
    #expect(headings == ["### Architectures", "#### `lenet`", "#### `mlp`", "### Attacks", "#### `bim`",
                         "### Data sets", "#### `mnist`", "#### `cifar10`", "#### `pcam`",
                         "### Statement settings", "#### `transfer`", "#### `surrogate`", "#### `mixture`",
                         "### Figures (`plot`)", "#### `bars`", "#### `curve`", "#### `box`", "#### `tsne`", "#### `decision`",
                         "#### `adversarials`"])
    #expect(tables.contains("| `optimizer` | choice | adam | adam\\|sgd | optimiser |"))
  }

  @Test("a statement section shows its syntax, doc, details with names from the registries, and examples")
  func statementSection() {
    let sections = renderStatementSections(vocabulary: vocabulary)
    #expect(sections.contains("""
      ### `attack`

      ```
      attack ATTACK [key=value ...] on MODEL
      ```

      Attack a model; records attack success rate and mean L2 distance per pixel. Parameters may stand
      before or after `on MODEL`; both lists are checked together against the attack's declaration, and a
      parameter given twice is an error. The attacks: `bim`; on stochastic targets some follow Foolbox 3
      rather than Foolbox 1.8 (grammar.md, "Which reference an attack reproduces").

      ```
      attack bim eps=32/255 on net samples=100
      ```

      """))
    let headings = sections.split(separator: "\n").filter { $0.hasPrefix("### ") }
    #expect(headings.count == Statements.all.count)
    #expect(headings.first == "### `seed`")
  }

  @Test("updating replaces only the blocks between the markers and is idempotent")
  func update() {
    let stale = "# Grammar\n\n\(grammarStatementsBegin)\nold statements\n\(grammarStatementsEnd)\n\ntext between\n\n"
      + "\(grammarTablesBegin)\nold tables\n\(grammarTablesEnd)\n\ntext after\n"
    let updated = updateGrammar(stale, vocabulary: vocabulary)
    #expect(updated.hasPrefix("# Grammar\n\n\(grammarStatementsBegin)\n\n### `seed`\n"))
    #expect(updated.contains("\n\(grammarStatementsEnd)\n\ntext between\n\n\(grammarTablesBegin)\n\n### Architectures\n"))
    #expect(updated.contains("\n\(grammarTablesEnd)\n\ntext after\n"))
    // Blocks whose markers are missing (here the keywords and the EBNF) are appended.
    #expect(generatedEBNF(in: updated) == renderEBNF(vocabulary: vocabulary))
    #expect(!updated.contains("old tables") && !updated.contains("old statements"))
    #expect(updateGrammar(updated, vocabulary: vocabulary) == updated)
    #expect(generatedTables(in: updated) == renderParameterTables(vocabulary: vocabulary))
    #expect(generatedStatements(in: updated) == renderStatementSections(vocabulary: vocabulary))
  }

  @Test("updating a text without markers appends the blocks")
  func appendBlock() {
    let updated = updateGrammar("# Grammar\n", vocabulary: vocabulary)
    #expect(updated.hasPrefix("# Grammar\n\n\(grammarStatementsBegin)\n"))
    #expect(generatedTables(in: updated) == renderParameterTables(vocabulary: vocabulary))
    #expect(generatedStatements(in: updated) == renderStatementSections(vocabulary: vocabulary))
  }

  @Test("grammar.md has both generated blocks")
  func grammarHasBlocks() throws {
    let grammar = try GrammarDocTests.grammarFile()
    #expect(generatedTables(in: grammar) != nil)
    #expect(generatedStatements(in: grammar) != nil)
  }
}
