/// Every statement of the language, in the order help and grammar.md list them. A new
/// statement is one file in this folder and one entry here.
public enum Statements {
  public static let all: [StatementSpec] = [
    seed, load, model, describe, evaluate, attack, transfer, `for`, save, plot, set, report,
  ]
}
