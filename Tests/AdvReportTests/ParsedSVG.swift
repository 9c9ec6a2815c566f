import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG read back with Foundation's XML parser, so the chart tests check what a reader of the
/// file sees, not the strings the renderer meant to write.
struct ParsedSVG {
  struct Element {
    var name: String
    var attributes: [String: String]
    /// The text directly inside the element, entities resolved.
    var text: String

    var classes: [String] { (attributes["class"] ?? "").split(separator: " ").map(String.init) }
  }

  struct ParseError: Error, CustomStringConvertible {
    var description: String
  }

  /// Every element in document order; the first is the root.
  var elements: [Element]

  init(_ svg: String) throws {
    let parser = XMLParser(data: Data(svg.utf8))
    let collector = Collector()
    parser.delegate = collector
    guard parser.parse() else {
      throw ParseError(description: "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unknown error") at line \(parser.lineNumber)")
    }
    elements = collector.elements
  }

  var root: Element { elements[0] }

  func elements(named name: String) -> [Element] { elements.filter { $0.name == name } }
  func elements(classed cls: String) -> [Element] { elements.filter { $0.classes.contains(cls) } }
  /// The text of every `text` element with class `cls`.
  func texts(classed cls: String) -> [String] { elements(classed: cls).filter { $0.name == "text" }.map(\.text) }
  /// The text of every `text` element.
  var texts: [String] { elements(named: "text").map(\.text) }

  final class Collector: NSObject, XMLParserDelegate {
    var elements: [Element] = []
    var open: [Int] = []

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
      elements.append(Element(name: elementName, attributes: attributeDict, text: ""))
      open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
      open.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
      if let i = open.last { elements[i].text += string }
    }
  }
}
