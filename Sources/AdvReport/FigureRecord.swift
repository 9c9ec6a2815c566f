/// One figure a `plot` statement wrote: which, where, and the caption that says what it shows.
public struct FigureRecord: Codable, Sendable, Equatable {
  /// The figure's registry name: `bars`, `curve`, `box`, `tsne`, `decision`, `adversarials`.
  public var figure: String
  public var title: String
  /// Data set, samples, seed and script, as printed under the figure.
  public var caption: String
  /// The file, relative to the output directory unless absolute.
  public var file: String
  /// The statement's source text.
  public var statement: String

  public init(figure: String, title: String, caption: String, file: String, statement: String) {
    self.figure = figure; self.title = title; self.caption = caption; self.file = file; self.statement = statement
  }
}
