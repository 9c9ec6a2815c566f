import AdvLang
import AdvNN
import AdvReport
import AdvTestSupport
import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `Runs/figures.adv` draws every figure and writes `report html`; the page is opened in
/// headless Chromium, as a reader's browser would.
final class HTMLReportTests {
  let work = FileManager.default.temporaryDirectory.appendingPathComponent("adv-html-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path

  deinit { try? FileManager.default.removeItem(atPath: work) }

  func run() throws -> Session {
    let url = try #require(Bundle.module.url(forResource: "Runs/figures", withExtension: "adv"))
    let text = try String(contentsOf: url, encoding: .utf8)
    let session = Session(scriptName: "figures.adv", scriptText: text, outputDirectory: work + "/out",
                          cache: ModelCache(directory: work + "/cache"), output: SessionOutput(print: { _ in }, warn: { _ in }))
    let steps = try session.checker.check(AdvLang.SourceFile(name: url.path, text: text)).get()
    try session.run(steps, file: url.path)
    return session
  }

  func file(_ name: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: work + "/out/" + name))
  }

  /// Runs chromium headless with `arguments` and the page; returns its standard output.
  @discardableResult
  func chromium(_ arguments: [String], page: String) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                         "--user-data-dir=\(work)/chromium"] + arguments + ["file://" + page]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "chromium \(arguments) exited with \(process.terminationStatus)")
    return data
  }

  @Test("every figure is written and readable: SVGs parse as XML, PNGs decode, the record lists each")
  func figures() throws {
    let session = try run()
    let records = session.report.figures
    #expect(records.map(\.figure) == ["bars", "curve", "box", "tsne", "decision", "adversarials"])
    #expect(records.map(\.file) == ["bars.svg", "plot-curve-m.svg", "plot-box.svg", "tsne.svg", "decision.png", "adversarials.png"])
    for record in records {
      #expect(record.caption.contains("seed 3"), "\(record.figure): \(record.caption)")
      let data = try file(record.file)
      if record.file.hasSuffix(".svg") {
        let parser = XMLParser(data: data)
        #expect(parser.parse(), "\(record.file) is not well-formed XML: \(String(describing: parser.parserError))")
      } else {
        let png = try decodePNG([UInt8](data))
        #expect(png.width >= 16 && png.height >= 16, "\(record.file): \(png.width)x\(png.height)")
      }
    }
    let json = try Report(json: try file("results.json"))
    #expect(json.figures == records)
  }

  @Test("the HTML report is self-contained and renders in headless Chromium with its tables, charts and images")
  func html() throws {
    _ = try run()
    let page = work + "/out/report.html"
    let html = try String(contentsOfFile: page, encoding: .utf8)
    for outside in ["src=\"http", "href=\"http", "<link", "<script", "url(http", "@import"] {
      #expect(!html.contains(outside), "the page loads nothing from outside: found '\(outside)'")
    }
    #expect(html.contains("attack bim eps=eps steps=10 on m samples=4"), "the script is shown")
    let svgs = html.components(separatedBy: "<svg").count - 1
    let images = html.components(separatedBy: "<img").count - 1
    let tables = html.components(separatedBy: "<table").count - 1
    // bars, curve, box (two panels in one) and t-SNE as the script drew them; no automatic chart
    // repeats a kind the script drew.
    #expect(svgs == 4, "\(svgs) svg elements")
    // decision and adversarials as drawn; the drawn grid covers both attacked models, so the page
    // adds no grid of its own.
    #expect(images == 2, "\(images) img elements")
    #expect(tables >= 3, "\(tables) tables")

    let dom = String(decoding: try chromium(["--dump-dom"], page: page), as: UTF8.self)
    #expect(dom.components(separatedBy: "<svg").count - 1 == svgs, "Chromium's DOM keeps every chart")
    #expect(dom.components(separatedBy: "<img").count - 1 == images)
    #expect(dom.components(separatedBy: "<table").count - 1 == tables)

    let shot = work + "/shot.png"
    try chromium(["--screenshot=\(shot)", "--window-size=1200,8000"], page: page)
    let png = try decodePNG([UInt8](try Data(contentsOf: URL(fileURLWithPath: shot))))
    #expect(png.width == 1200 && png.height == 8000)
    var dark = 0, coloured = 0
    for y in stride(from: 0, to: png.height, by: 2) {
      for x in stride(from: 0, to: png.width, by: 2) {
        let (r, g, b, _) = png.pixel(x, y)
        if Int(r) + Int(g) + Int(b) < 200 { dark += 1 }
        if max(r, g, b) - min(r, g, b) > 60 { coloured += 1 }
      }
    }
    let sampled = (png.width / 2) * (png.height / 2)
    #expect(dark > sampled / 200, "text is drawn: \(dark) of \(sampled) sampled pixels are dark")
    #expect(coloured > sampled / 500, "charts are drawn in colour: \(coloured) of \(sampled)")
  }
}
